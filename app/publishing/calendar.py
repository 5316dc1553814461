"""The published maintenance calendars: the page's, each component's and each window's.

Their events are made in ``app.incidents.calendar``; here is which windows each holds.
"""

from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from app.audiences.floor import floor_incidents
from app.extensions import db
from app.incidents.calendar import (
    CALENDAR_TYPE,
    calendar_name,
    one_window_calendar,
    render_calendar,
)
from app.models import CLOSED_STATES, Component, Incident, IncidentComponent, IncidentKind

__all__ = ["CALENDAR_TYPE", "one_window_calendar"]

PAGE_CALENDAR = "/maintenance.ics"
RECENT_DAYS = 30  # finished windows stay this long, so a cancellation reaches every calendar
MAX_EVENTS = 200


def component_calendar(component: Component) -> str:
    """The path of one component's maintenance calendar."""
    return f"/components/{component.slug}/maintenance.ics"


def window_calendar(incident: Incident) -> str:
    """The path of one window's own calendar (the "Add to calendar" link)."""
    return f"/incidents/{incident.public_id}/calendar.ics"


def calendar_windows(component: Component | None = None, *, now: datetime) -> list[Incident]:
    """The public maintenance windows a calendar holds: not finished, or finished in the last
    ``RECENT_DAYS``; at most ``MAX_EVENTS``, the latest start first."""
    since = now - timedelta(days=RECENT_DAYS)
    query = db.select(Incident).where(
        floor_incidents(),
        Incident.kind == IncidentKind.maintenance,
        Incident.scheduled_for.is_not(None),
        Incident.scheduled_until.is_not(None),
        or_(
            Incident.scheduled_until >= since,
            Incident.state.not_in([s.value for s in CLOSED_STATES]),
        ),
    )
    if component is not None:
        query = query.where(Incident.components.any(IncidentComponent.component_id == component.id))
    query = (
        query.options(selectinload(Incident.components).selectinload(IncidentComponent.component))
        .order_by(Incident.scheduled_for.desc(), Incident.id.desc())
        .limit(MAX_EVENTS)
    )
    return list(db.session.scalars(query))


def maintenance_calendar(
    component: Component | None, *, now: datetime, base_url: str, page_name: str
) -> bytes:
    """The page's (or one component's) maintenance calendar, as published."""
    return render_calendar(
        calendar_windows(component, now=now),
        name=calendar_name(page_name, component.name if component else None),
        base_url=base_url,
        page_name=page_name,
    )
