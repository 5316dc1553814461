"""The worker's heartbeat (proof the queue is being consumed) and its stop request."""

import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.core.metrics import HEARTBEATS
from app.extensions import db
from app.models import WorkerHeartbeat
from app.sqltypes import utcnow


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# Set by `flask worker` on SIGTERM/SIGINT: long tasks (a dispatch, a re-publish) finish the
# batch in hand, record it, hand the rest back to the queue and return.
_stop = threading.Event()


def request_stop() -> None:
    """Ask every long task of this process to stop after its current batch."""
    _stop.set()


def stop_requested() -> bool:
    """Whether this process is shutting down (long tasks check it between batches)."""
    return _stop.is_set()


def wait_for_stop(seconds: float) -> bool:
    """Sleep up to ``seconds``, waking at once on a stop request; whether one came."""
    return _stop.wait(seconds)


# On PostgreSQL each `flask worker` process holds a session advisory lock (LIVENESS_NAMESPACE,
# its key) on a connection of its own. The server drops it the moment the process dies, so a
# sweep sees a dead owner at once instead of waiting out its lease.
LIVENESS_NAMESPACE = 0x43524945
_liveness: dict = {}


def hold_liveness_lock() -> int | None:
    """On PostgreSQL, take this process's advisory lock and keep its connection; the key."""
    if db.engine.dialect.name != "postgresql":
        return None
    key = secrets.randbelow(2**31 - 2) + 1
    conn = db.engine.connect()  # held for the life of the process, never returned
    conn.execute(text("SELECT pg_advisory_lock(:ns, :key)"), {"ns": LIVENESS_NAMESPACE, "key": key})
    conn.commit()  # a session lock outlives the transaction
    _liveness.update(key=key, conn=conn)
    return key


def liveness_key() -> int | None:
    """This process's advisory lock key, if it holds one (a `flask worker` on PostgreSQL)."""
    return _liveness.get("key")


def clear_stop() -> None:
    """Forget a stop request (a test that stopped a run in-process)."""
    _stop.clear()


def record_heartbeat(name: str | None = None) -> None:
    """Mark this worker as alive now."""
    name = name or worker_name()
    now = utcnow()
    touched = db.session.execute(
        db.update(WorkerHeartbeat).filter_by(worker=name).values(last_seen_at=now)
    ).rowcount
    if not touched:
        db.session.add(WorkerHeartbeat(worker=name, last_seen_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # another thread of this worker checked in first; that will do
        db.session.rollback()
    HEARTBEATS.inc()


@dataclass
class WorkerStatus:
    last_seen_at: datetime | None
    age_seconds: float | None
    stale: bool


def worker_status(now: datetime | None = None) -> WorkerStatus:
    """When any worker was last seen, and whether that is too long ago."""
    last = db.session.scalar(
        db.select(WorkerHeartbeat.last_seen_at)
        .order_by(WorkerHeartbeat.last_seen_at.desc())
        .limit(1)
    )
    if last is None:
        return WorkerStatus(None, None, True)
    age = ((now or utcnow()) - last).total_seconds()
    return WorkerStatus(last, age, age > current_app.config["WORKER_STALE_SECONDS"])
