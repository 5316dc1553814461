"""Readers the management API lists incidents with: a page of incidents or maintenance
windows by list, an update by its public id, and the component statuses updates set."""

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CLOSED_STATES, ComponentStatusChange, Incident, IncidentKind, State, Update
from app.sqltypes import utcnow

_OPEN = [s.value for s in State if s not in CLOSED_STATES]


def _windows(*states: State) -> tuple:
    return (
        Incident.kind == IncidentKind.maintenance,
        Incident.state.in_([s.value for s in states]),
    )


def incident_page(which: str, *, title: str = "", limit: int, offset: int) -> list[Incident]:
    """One page of the list ``which`` (all, unresolved, upcoming, scheduled,
    active_maintenance) whose titles contain ``title``, with updates and components loaded."""
    newest, soonest = Incident.started_at.desc(), Incident.scheduled_for.asc()
    open_incidents = (Incident.kind == IncidentKind.incident, Incident.state.in_(_OPEN))
    conditions, order = {
        "all": ((), newest),
        "unresolved": (open_incidents, newest),
        "upcoming": ((*_windows(State.scheduled), Incident.scheduled_for > utcnow()), soonest),
        "scheduled": (_windows(State.scheduled), soonest),
        "active_maintenance": (_windows(State.in_progress, State.verifying), soonest),
    }[which]
    query = (
        db.select(Incident)
        .where(*conditions)
        .options(selectinload(Incident.updates), selectinload(Incident.components))
    )
    if title:
        query = query.where(Incident.title.icontains(title, autoescape=True))
    query = query.order_by(order, Incident.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(query))


def update_on(incident: Incident, public_id: str) -> Update | None:
    """The update with this public id on ``incident``."""
    query = db.select(Update).filter_by(public_id=public_id, incident_id=incident.id)
    return db.session.scalar(query)


def status_changes(update_ids) -> dict[int, list[ComponentStatusChange]]:
    """{update id: the component statuses that update set, in the order it set them}."""
    if not update_ids:
        return {}
    rows = db.session.scalars(
        db.select(ComponentStatusChange)
        .where(ComponentStatusChange.update_id.in_(update_ids))
        .options(selectinload(ComponentStatusChange.component))
        .order_by(ComponentStatusChange.id)
    )
    found: dict[int, list[ComponentStatusChange]] = {}
    for row in rows:
        found.setdefault(row.update_id, []).append(row)
    return found
