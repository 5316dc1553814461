"""Readiness: the database and the queue answer, and a worker checked in recently."""

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.worker import worker_status
from app.extensions import db, huey

OK = "ok"


def readiness() -> dict[str, str]:
    """Each check's verdict: "ok", or what is wrong (never a URL, a user or a password)."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = OK
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    finally:
        db.session.rollback()
    try:
        for queue in huey.queues.values():
            queue.pending_count()
        checks["queue"] = OK
    except Exception as exc:  # any storage error: Redis down, an unreadable queue file
        checks["queue"] = f"unreachable ({type(exc).__name__})"
    checks["worker"] = _worker() if checks["database"] == OK else "unknown: no database"
    return checks


def _worker() -> str:
    try:
        status = worker_status()
    except SQLAlchemyError:
        db.session.rollback()
        return "unknown: the heartbeats could not be read"
    if status.last_seen_at is None:
        return "never seen: is `flask worker` running?"
    if status.stale:
        limit = current_app.config["WORKER_STALE_SECONDS"]
        return f"last seen {status.age_seconds:.0f} s ago (stale after {limit} s)"
    return OK
