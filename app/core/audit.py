"""The audit log: who changed what, and when."""

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEvent, Incident, User


def record(
    action: str,
    *,
    actor: User | None,
    obj=None,
    object_type: str | None = None,
    incident: Incident | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add an audit row to the session (the calling service commits it with its change)."""
    db.session.flush()  # new objects get their ids and public ids; nothing is committed here
    if object_type is None:
        object_type = type(obj).__name__.lower() if obj is not None else "page"
    object_id = getattr(obj, "public_id", None) or (str(obj.id) if obj is not None else None)
    event = AuditEvent(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        incident_id=incident.id if incident is not None else None,
        detail=detail or {},
    )
    db.session.add(event)
    return event


def audit_events(*, incident: Incident | None = None, limit: int = 200) -> list[AuditEvent]:
    """The newest audit events, optionally only those about one incident."""
    query = (
        db.select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if incident is not None:
        query = query.where(AuditEvent.incident_id == incident.id)
    return list(db.session.scalars(query))
