"""The unit of work: one transaction per request, task or command, opened and committed at the
edge. Domain verbs change the session and flush; they never commit.

``after_commit(signal, **kwargs)`` queues a signal on the session; it is sent from the
session's ``after_commit`` event, so nothing follows a transaction that rolled back. Its
receivers (``app.tasks``) only enqueue work: the rows that work needs were written by the
outbox doors (``app.publishing.outbox``, ``app.fanout.outbox``) in the same transaction.
"""

import functools
import logging
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

_QUEUED = "crier.after_commit"  # session.info: [(signal, kwargs)] waiting for the commit
_DEPTH = "crier.unit_of_work"  # session.info: how many units are open (inner ones join)


@contextmanager
def unit_of_work():
    """Open the transaction (or join the one already open); commit once when the block ends,
    roll back if it raises. Nothing inside commits."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    else:
        if depth == 0:
            try:
                session.commit()
            except BaseException:
                session.close()  # a failed commit (or one whose followers failed) ends here
                raise
    finally:
        session.info[_DEPTH] = depth


class Conflict(Exception):
    """A concurrent writer took the same unique key every time the work was tried."""


def run_unit_of_work(work, *, conflict_retries: int = 0):
    """``work()`` in one unit of work; its result. A unique-key conflict with a concurrent
    writer rolls it back and runs it again (reading what the other one wrote), at most
    ``conflict_retries`` more times; then ``Conflict``."""
    for attempt in range(conflict_retries + 1):
        try:
            with unit_of_work():
                return work()
        except IntegrityError:
            if attempt == conflict_retries:
                raise Conflict() from None
    return None  # not reached: the last attempt returns or raises


def transactional(func):
    """Run ``func`` in one unit of work (for tasks and commands)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper


def after_commit(signal, **kwargs) -> None:
    """Send ``signal`` with ``kwargs`` once the current transaction commits (once, however
    often asked); never if it rolls back."""
    queued = db.session().info.setdefault(_QUEUED, [])
    if (signal, kwargs) not in queued:
        queued.append((signal, kwargs))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session) -> None:
    queued = session.info.pop(_QUEUED, None)
    for signal, kwargs in queued or ():
        try:  # the transaction is committed: what failed to follow, its sweep catches up
            signal.send(None, **kwargs)
        except Exception:
            log.exception("after commit: %s failed", signal.name)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_QUEUED, None)
