"""Who runs a dispatch: a short lease, renewed after each batch, taken over once it lapses.

A worker that dies (kill -9, a lost machine) stops renewing; after ``DISPATCH_LEASE_SECONDS``
any worker's sweep hands the dispatch to the queue again and the next run continues at the
cursor. Every write of a run is guarded by its owner token, so a run that lost its lease (a
long pause) can record nothing over its successor's work.
"""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false, or_, text
from sqlalchemy import update as sql_update

from app.core.worker import LIVENESS_NAMESPACE, liveness_key, worker_name
from app.extensions import db
from app.models import Dispatch, DispatchStatus
from app.sqltypes import utcnow


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=current_app.config["DISPATCH_LEASE_SECONDS"])


def _orphaned(now: datetime):
    """Running, but its holder stopped renewing (a row from before leases: not touched for
    ``DISPATCH_STALE_SECONDS``, as an old worker touches it after every batch), or, on
    PostgreSQL, its holder's process is gone (its advisory lock was released)."""
    stale = now - timedelta(seconds=current_app.config["DISPATCH_STALE_SECONDS"])
    return and_(
        Dispatch.status == DispatchStatus.running,
        or_(
            Dispatch.lease_until < now,
            and_(Dispatch.lease_until.is_(None), Dispatch.updated_at < stale),
            _owner_gone(),
        ),
    )


def _owner_gone():
    if db.engine.dialect.name != "postgresql":
        return false()
    gone = text(
        "NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND l.classid = :ns AND l.objid = CAST(dispatches.lock_key AS oid)"
        " AND l.objsubid = 2)"
    ).bindparams(ns=LIVENESS_NAMESPACE)
    return and_(Dispatch.lock_key.is_not(None), gone)


# Taking a dispatch from a dead run: the batch it had handed to the provider may have gone out.
_TAKEOVER = {
    "possible_duplicates": Dispatch.possible_duplicates + Dispatch.in_flight,
    "in_flight": 0,
}


def claim(dispatch_id: int) -> str | None:
    """Atomically take a pending or orphaned dispatch; the run's owner token, or None."""
    now = utcnow()
    owner = f"{worker_name()}:{secrets.token_hex(4)}"
    result = db.session.execute(
        sql_update(Dispatch)
        .where(
            Dispatch.id == dispatch_id,
            or_(Dispatch.status == DispatchStatus.pending, _orphaned(now)),
        )
        .values(
            status=DispatchStatus.running,
            owner=owner,
            lease_until=_lease_end(now),
            lock_key=liveness_key(),
            attempts=Dispatch.attempts + 1,
            updated_at=now,
            **_TAKEOVER,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return owner if result.rowcount == 1 else None


def record(dispatch: Dispatch, owner: str, /, **values) -> bool:
    """Write ``values`` and renew the lease in one commit, if this run still holds it."""
    now = utcnow()
    result = db.session.execute(
        sql_update(Dispatch)
        .where(
            Dispatch.id == dispatch.id,
            Dispatch.owner == owner,
            Dispatch.status == DispatchStatus.running,
        )
        .values({"lease_until": _lease_end(now), "updated_at": now, **values})
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # expires ``dispatch``: its next read sees what was written
    return result.rowcount == 1


def release(dispatch: Dispatch, owner: str, status: DispatchStatus, /, **values) -> bool:
    """End this run: set ``status`` (pending hands it back), clear the lease and the batch in
    flight (recorded or known unsent)."""
    released = {"owner": None, "lease_until": None, "lock_key": None, "in_flight": 0, **values}
    return record(dispatch, owner, status=status, **released)


def sweep(*, now: datetime | None = None) -> list[int]:
    """Hand orphaned dispatches back and touch long-pending ones (their task was lost); the
    ids to enqueue. One indexed statement, so every worker may run it every few seconds."""
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["DISPATCH_PENDING_GRACE_SECONDS"])
    waiting = and_(Dispatch.status == DispatchStatus.pending, Dispatch.updated_at < now - grace)
    ids = db.session.scalars(
        sql_update(Dispatch)
        .where(or_(waiting, _orphaned(now)))
        .values(
            status=DispatchStatus.pending,
            owner=None,
            lease_until=None,
            lock_key=None,
            updated_at=now,
            **_TAKEOVER,
        )
        .returning(Dispatch.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(ids)
