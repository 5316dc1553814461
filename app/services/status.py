"""What the public page says: the overall status, components and open incidents."""

from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CLOSED_STATES, Component, ComponentGroup, ComponentStatus, Incident, Update

# (indicator, description) as Statuspage's status.json says them, worst first.
_BY_COMPONENT = [
    (ComponentStatus.major_outage, "major", "Major System Outage"),
    (ComponentStatus.partial_outage, "minor", "Partial System Outage"),
    (ComponentStatus.degraded_performance, "minor", "Degraded System Service"),
    (ComponentStatus.under_maintenance, "maintenance", "Service Under Maintenance"),
]
STATUS_LABELS = {
    ComponentStatus.operational: "Operational",
    ComponentStatus.degraded_performance: "Degraded performance",
    ComponentStatus.partial_outage: "Partial outage",
    ComponentStatus.major_outage: "Major outage",
    ComponentStatus.under_maintenance: "Under maintenance",
}


@dataclass
class PageStatus:
    indicator: str
    description: str
    groups: list = field(default_factory=list)
    ungrouped: list = field(default_factory=list)
    incidents: list = field(default_factory=list)


def overall_status(components) -> tuple[str, str]:
    """Statuspage's indicator and headline for a set of component statuses."""
    statuses = {c.status for c in components}
    for status, indicator, description in _BY_COMPONENT:
        if status in statuses:
            return indicator, description
    return "none", "All Systems Operational"


def page_status() -> PageStatus:
    """The public view of the page: public components only, external updates only."""
    components = list(
        db.session.scalars(
            db.select(Component)
            .where(Component.is_public.is_(True))
            .order_by(Component.position, Component.name)
        )
    )
    groups = list(db.session.scalars(db.select(ComponentGroup).order_by(ComponentGroup.position)))
    incidents = list(
        db.session.scalars(
            db.select(Incident)
            .where(Incident.is_public.is_(True))
            .where(Incident.state.not_in([s.value for s in CLOSED_STATES]))
            .options(selectinload(Incident.updates))
            .order_by(Incident.started_at.desc())
        )
    )
    indicator, description = overall_status(components)
    by_group = {g.id: [] for g in groups}
    ungrouped = []
    for component in components:
        by_group.get(component.group_id, ungrouped).append(component)
    return PageStatus(
        indicator=indicator,
        description=description,
        groups=[(g, by_group[g.id]) for g in groups if by_group[g.id]],
        ungrouped=ungrouped,
        incidents=[(i, public_updates(i)) for i in incidents],
    )


def public_updates(incident: Incident) -> list[Update]:
    """An incident's updates with external text, newest first."""
    return sorted((u for u in incident.updates if u.is_public), key=lambda u: u.posted_at)[::-1]
