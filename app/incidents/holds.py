"""What a component shows: never better than an open incident that holds it. Every write of a
component's status (an update, resolving, a window's start, end or change, a direct change in
the console or /api/v1, an alert) goes through ``settle_component``, which shows the worst of
the status asked for and the statuses the other open incidents hold it at."""

from dataclasses import dataclass
from datetime import datetime

from app.extensions import db
from app.models import (
    CLOSED_STATES,
    Component,
    ComponentStatus,
    ComponentStatusChange,
    Incident,
    IncidentComponent,
    State,
)
from app.signals import component_status_changed

# From least to most severe: the worst status held wins.
ORDER = [
    ComponentStatus.operational,
    ComponentStatus.under_maintenance,
    ComponentStatus.degraded_performance,
    ComponentStatus.partial_outage,
    ComponentStatus.major_outage,
]


def worse(a: ComponentStatus | str, b: ComponentStatus | str) -> bool:
    """Whether ``a`` is a worse status than ``b``."""
    return ORDER.index(ComponentStatus(a)) > ORDER.index(ComponentStatus(b))


def status_label(status: ComponentStatus | str) -> str:
    """A status as the page says it: "Partial outage"."""
    return str(status).replace("_", " ").capitalize()


@dataclass(frozen=True)
class Hold:
    """An open incident (or started window) that holds a component at ``status``."""

    incident: Incident
    status: ComponentStatus

    def says(self, component: Component) -> str:
        """The reason, in words: "API stays Partial outage: held by “Payments slow”"."""
        return (
            f"{component.name} stays {status_label(self.status)}: held by “{self.incident.title}”"
        )


def holds(component: Component, *, besides: Incident | None = None) -> list[Hold]:
    """The open incidents and started windows other than ``besides`` that hold ``component``,
    the worst first (a scheduled window holds nothing yet)."""
    query = (
        db.select(Incident, IncidentComponent.status)
        .join(IncidentComponent, IncidentComponent.incident_id == Incident.id)
        .where(IncidentComponent.component_id == component.id)
        .where(Incident.state.not_in([s.value for s in (*CLOSED_STATES, State.scheduled)]))
        .order_by(Incident.started_at, Incident.id)
        .limit(100)
    )
    if besides is not None and besides.id is not None:
        query = query.where(Incident.id != besides.id)
    found = [
        Hold(incident, ComponentStatus(status)) for incident, status in db.session.execute(query)
    ]
    return sorted(found, key=lambda h: -ORDER.index(h.status))


def held_over(component: Component, wanted, *, besides: Incident | None = None) -> Hold | None:
    """The hold that keeps ``component`` from showing ``wanted`` (a worse status held by
    another open incident), or None when ``wanted`` may show."""
    found = holds(component, besides=besides)
    if found and worse(found[0].status, wanted):
        return found[0]
    return None


def settle_component(
    component: Component, wanted, *, at: datetime, update=None, besides: Incident | None = None
) -> Hold | None:
    """Give ``component`` the worse of ``wanted`` and what the open incidents other than
    ``besides`` hold it at; the hold that won, or None when ``wanted`` shows."""
    hold = held_over(component, wanted, besides=besides)
    record_status(component, hold.status if hold else ComponentStatus(wanted), at=at, update=update)
    return hold


def record_status(component: Component, status, *, at: datetime, update=None) -> None:
    """Give ``component`` a status, recording the change for the uptime history and, outside
    an update, for its ``component_update`` webhooks (in the caller's transaction)."""
    status = ComponentStatus(status)
    if component.status == status:
        return
    old, component.status = component.status, status
    db.session.add(
        ComponentStatusChange(
            component=component, status=status, at=at, update_id=update.id if update else None
        )
    )
    if update is None:  # an update's own webhooks carry its components; this change has none
        component_status_changed.send(None, component=component, old=old, new=status, at=at)


@dataclass(frozen=True)
class Shown:
    """One of an incident's components: what the incident says, what the page shows now and,
    when they differ on an open incident, the other incident that holds it."""

    component: Component
    said: ComponentStatus
    shown: ComponentStatus
    hold: Hold | None


def shown_components(incident: Incident) -> list[Shown]:
    """The incident's components as the console lists them, agreeing with the public page."""
    rows = []
    for link in incident.components:
        hold = None
        if incident.is_open and link.component.status != link.status:
            hold = held_over(link.component, link.status, besides=incident)
        rows.append(Shown(link.component, link.status, link.component.status, hold))
    return rows


def kept_on_resolve(incident: Incident) -> list[str]:
    """Why each component that resolving ``incident`` leaves as it is stays so: "API stays
    Partial outage: held by “Payments slow”"."""
    kept = []
    for link in incident.components:
        hold = held_over(link.component, ComponentStatus.operational, besides=incident)
        if hold is not None:
            kept.append(hold.says(link.component))
    return kept
