"""The page's overall status from component statuses, and what the public may read."""

from app.audiences.rule import PUBLIC, UpdateText, visible
from app.models import ComponentStatus, Incident, Update

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


def overall_status(components) -> tuple[str, str]:
    """Statuspage's indicator and headline for a set of component statuses."""
    statuses = {c.status for c in components}
    for status, indicator, description in _BY_COMPONENT:
        if status in statuses:
            return indicator, description
    return "none", "All Systems Operational"


def public_updates(incident: Incident, viewer=PUBLIC) -> list[Update]:
    """An incident's updates with external text (that ``viewer`` reads), newest first."""
    shown = (u for u in incident.updates if visible(viewer, UpdateText(u)))
    return sorted(shown, key=lambda u: u.posted_at)[::-1]
