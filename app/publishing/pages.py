"""What the public pages show: public components, public incidents, external text only."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.audiences.floor import floor_components, floor_incidents
from app.audiences.rule import PUBLIC, visible
from app.extensions import db
from app.models import (
    CLOSED_STATES,
    Component,
    ComponentGroup,
    Impact,
    Incident,
    IncidentComponent,
    IncidentKind,
    State,
    Update,
)
from app.publishing.feeds import MAX_ENTRIES
from app.publishing.status import overall_status
from app.timefmt import zone

RECENT_MONTHS = 3  # months with incidents listed in full on /history; older ones are links
PAST_DAYS = 14
ACTIVE_MAINTENANCE = (State.in_progress, State.verifying)
_CLOSED = [s.value for s in CLOSED_STATES]
_OPEN = [s.value for s in State if s not in CLOSED_STATES]
# Worst first; an open incident's impact can raise the page's indicator above its components'.
_RANK = ["none", "maintenance", "minor", "major", "critical"]
_IMPACT_TEXT = {
    Impact.minor: "Minor Service Outage",
    Impact.major: "Partial System Outage",
    Impact.critical: "Major System Outage",
}


@dataclass
class PageView:
    indicator: str
    description: str
    groups: list = field(default_factory=list)  # [(group, [components])]
    ungrouped: list = field(default_factory=list)
    incidents: list = field(default_factory=list)  # open incidents
    active_maintenance: list = field(default_factory=list)
    upcoming_maintenance: list = field(default_factory=list)
    past_days: list = field(default_factory=list)  # [(date, [incidents])]


def public_components() -> list[Component]:
    """Public components in page order: by group, then position within it; ungrouped last."""
    query = (
        db.select(Component)
        .outerjoin(ComponentGroup, Component.group_id == ComponentGroup.id)
        .where(floor_components())
        .order_by(
            ComponentGroup.position.is_(None),
            ComponentGroup.position,
            Component.position,
            Component.name,
        )
    )
    return list(db.session.scalars(query))


def public_groups() -> list[ComponentGroup]:
    """Every component group in page order (empty ones are dropped by callers)."""
    return list(db.session.scalars(db.select(ComponentGroup).order_by(ComponentGroup.position)))


def incident_loads() -> tuple:
    """Loader options: an incident's updates and components, for its page and feed entries."""
    return (
        selectinload(Incident.updates),
        selectinload(Incident.components).selectinload(IncidentComponent.component),
    )


def public_incidents_query():
    """Public incidents and maintenance with their updates and components loaded."""
    return db.select(Incident).where(floor_incidents()).options(*incident_loads())


def affected_components(incident: Incident, viewer=PUBLIC) -> list[Component]:
    """The components an incident touches that ``viewer`` sees (the public ones unless told)."""
    return [ic.component for ic in incident.components if visible(viewer, ic.component)]


def page_indicator(components, incidents) -> tuple[str, str]:
    """Statuspage's indicator and banner text from component statuses and open incidents."""
    indicator, description = overall_status(components)
    for incident in incidents:
        if incident.kind == IncidentKind.maintenance:
            if incident.state in ACTIVE_MAINTENANCE and _RANK.index(indicator) < 1:
                indicator, description = "maintenance", "Service Under Maintenance"
            continue
        impact = Impact(incident.impact)
        if impact != Impact.none and _RANK.index(impact.value) > _RANK.index(indicator):
            indicator, description = impact.value, _IMPACT_TEXT[impact]
    return indicator, description


def open_incidents() -> list[Incident]:
    """Open public incidents and maintenance, newest first."""
    query = public_incidents_query().where(Incident.state.in_(_OPEN))  # an index range each
    return list(db.session.scalars(query.order_by(Incident.started_at.desc())))


def page_view(
    *, now: datetime, tz_name: str | None, components=None, open_=None, past=None, groups=None
) -> PageView:
    """Everything the status page shows, as of ``now`` (``components``, ``open_``, ``past``
    and ``groups``: what ``public_components``, ``open_incidents``, ``past_days`` and
    ``public_groups`` return, when the caller has them already; ``past`` is copied)."""
    components = public_components() if components is None else components
    visible = [c for c in components if not (c.only_show_if_degraded and c.status == "operational")]
    open_ = open_incidents() if open_ is None else open_
    indicator, description = page_indicator(components, open_)
    by_group = {}
    ungrouped = []
    for component in visible:
        (by_group.setdefault(component.group_id, []) if component.group_id else ungrouped).append(
            component
        )
    groups = [
        (g, by_group[g.id])
        for g in (public_groups() if groups is None else groups)
        if g.id in by_group
    ]
    maintenance = [i for i in open_ if i.kind == IncidentKind.maintenance]
    return PageView(
        indicator=indicator,
        description=description,
        groups=groups,
        ungrouped=ungrouped,
        incidents=[i for i in open_ if i.kind == IncidentKind.incident],
        active_maintenance=[i for i in maintenance if i.state in ACTIVE_MAINTENANCE],
        upcoming_maintenance=sorted(
            (i for i in maintenance if i.state == State.scheduled),
            key=lambda i: i.scheduled_for or i.started_at,
        ),
        past_days=past_days(now=now, tz_name=tz_name) if past is None else list(past),
    )


def past_days(*, now: datetime, tz_name: str | None, days: int = PAST_DAYS):
    """[(local date, [closed incidents started that day])] for the last ``days`` days."""
    tz = zone(tz_name)
    today = now.astimezone(tz).date()
    since = now - timedelta(days=days + 1)
    # A past day lists history rows: the incident's own columns, nothing else loaded.
    query = (
        db.select(Incident)
        .where(floor_incidents())
        .where(Incident.state.in_(_CLOSED), Incident.started_at >= since)
        .order_by(Incident.started_at.desc())
    )
    by_day = {today - timedelta(days=n): [] for n in range(days)}
    for incident in db.session.scalars(query):
        day = incident.started_at.astimezone(tz).date()
        if day in by_day:
            by_day[day].append(incident)
    return list(by_day.items())


def history_where(component: Component | None, *, include_scheduled: bool = False) -> list:
    """History lists what has begun; feeds also carry announcements of scheduled maintenance."""
    where = [floor_incidents()]
    if not include_scheduled:
        where.append(Incident.state != State.scheduled)
    if component is not None:  # the component's incidents by its index, not every incident
        mine = db.select(IncidentComponent.incident_id).where(
            IncidentComponent.component_id == component.id
        )
        where.append(Incident.id.in_(mine))
    return where


def _history_query(component: Component | None):
    return db.select(Incident).where(*history_where(component))


def history_query():
    """Every public incident and maintenance that has begun, newest first, components loaded
    (a full publish groups them by month and component in one pass)."""
    return (
        _history_query(None)
        .options(selectinload(Incident.components).selectinload(IncidentComponent.component))
        .order_by(Incident.started_at.desc(), Incident.id.desc())
    )


def month_of(when: datetime, tz_name: str | None) -> date:
    """The first day of the page's local month that ``when`` falls in."""
    return when.astimezone(zone(tz_name)).date().replace(day=1)


def _month_bounds(month: date, tz_name: str | None) -> tuple[datetime, datetime]:
    tz = zone(tz_name)
    following = (month + timedelta(days=32)).replace(day=1)
    start, end = (
        datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC) for d in (month, following)
    )
    return start, end


def _utc_month(column):
    """The calendar month of a stored time, in SQL (None where we do not know the dialect's
    spelling): SQLite keeps ``YYYY-MM-DD HH:MM:SS``, PostgreSQL has ``date_trunc``."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return func.substr(column, 1, 7)
    if dialect == "postgresql":
        return func.date_trunc("month", column)
    return None


def history_months(component: Component | None, tz_name: str | None) -> list[date]:
    """The local months that have history (newest first), from one grouped query: the first
    and last start of each stored month. A stored month overlaps at most two local months
    (the page's offset is under a day), and its first and last start fall in each of them
    that has history, so those two rows per month say every local month there is."""
    bucket = _utc_month(Incident.started_at)
    if bucket is None:
        query = _history_query(component).with_only_columns(Incident.started_at)
        starts = list(db.session.scalars(query))
    else:
        query = (
            _history_query(component)
            .with_only_columns(func.min(Incident.started_at), func.max(Incident.started_at))
            .group_by(bucket)
        )
        starts = [at for row in db.session.execute(query) for at in row]
    tz = zone(tz_name)
    return sorted({at.astimezone(tz).date().replace(day=1) for at in starts}, reverse=True)


def month_incidents(month: date, component: Component | None, tz_name: str | None):
    """The history of one local month, newest first."""
    start, end = _month_bounds(month, tz_name)
    # A history row shows the incident's own columns only: nothing else is loaded.
    query = _history_query(component).where(Incident.started_at >= start, Incident.started_at < end)
    return list(db.session.scalars(query.order_by(Incident.started_at.desc(), Incident.id.desc())))


def feed_incidents(component: Component | None = None, *, limit: int = MAX_ENTRIES):
    """The incidents (scheduled maintenance too) behind the newest ``limit`` external updates:
    a feed's entries come from these only, so its cost never grows with the archive."""
    latest = (
        db.select(Update.incident_id)
        .join(Incident, Update.incident_id == Incident.id)
        .where(*history_where(None, include_scheduled=True), Update.external_body != "")
        .order_by(Update.posted_at.desc(), Update.id.desc())
        .limit(limit)
    )
    if component is not None:  # newest updates first, until enough are the component's
        mine = IncidentComponent.component_id == component.id
        latest = latest.where(Incident.components.any(mine))
    ids = set(db.session.scalars(latest))
    if not ids:
        return []
    # An entry shows the incident's title and its updates: its components are not loaded.
    query = db.select(Incident).where(floor_incidents(), Incident.id.in_(ids))
    return list(db.session.scalars(query.options(selectinload(Incident.updates))))


def duration_seconds(incident: Incident) -> float | None:
    """How long a closed incident lasted."""
    if incident.resolved_at is None:
        return None
    return (incident.resolved_at - incident.started_at).total_seconds()
