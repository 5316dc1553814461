"""A process that dies right after a commit: the transaction is durable, and nothing that was
to follow it (after-commit signals, enqueued tasks, a fallback) runs."""

from contextlib import contextmanager

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db


class Died(BaseException):
    """The process ended (a BaseException: no ``except Exception`` of ours survives it)."""


@contextmanager
def dies_right_after_commit():
    """The first commit inside the block is the last thing the process does. Yields a list
    that holds one entry once it died; the block fails if nothing committed."""
    died = []

    def die(session):
        if not died:
            died.append(session)
            raise Died()

    event.listen(Session, "after_commit", die, insert=True)
    try:
        yield died
    except Died:
        pass
    finally:
        event.remove(Session, "after_commit", die)
        for session in died:
            session.close()  # what a dead process held is gone
        if has_app_context():
            db.session.close()
    assert died, "nothing committed inside the block"
