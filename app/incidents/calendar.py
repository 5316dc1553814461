"""Maintenance windows as iCalendar (RFC 5545) events: what the published calendars and the
scheduling emails' attachments are made of.

A window is one VEVENT whose UID never changes; its SEQUENCE is the incident's
``calendar_sequence`` (raised by every reschedule, rename, change of components and the
cancellation), so calendar apps update the event they hold instead of adding another. A
cancelled window is ``STATUS:CANCELLED``. Nothing in the bytes depends on the time of the
render: the same windows give the same bytes.
"""

from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, vDuration

from app.core.settings import page_settings
from app.core.text import clean_line
from app.models import Incident, State

CALENDAR_TYPE = "text/calendar; charset=utf-8"
REFRESH = timedelta(hours=1)  # how often a subscribed calendar app should look again
PRODID = "-//Crier//Status page maintenance//EN"
_END = b"END:VCALENDAR\r\n"
_TEXT_LIMIT = 1000  # a title is at most 200 characters; older rows are cut here


def _text(value: str | None) -> str:
    """One line an iCalendar TEXT value may hold: no control characters, bounded."""
    return clean_line(value)[:_TEXT_LIMIT]


def public_base_url() -> str:
    """The page's public address as the published site writes it (so an email's event has
    the UID of the published one): the page's setting, else ``PUBLIC_BASE_URL``."""
    url = page_settings().public_url or current_app.config["PUBLIC_BASE_URL"]
    return clean_line(url).rstrip("/")


def window_uid(incident: Incident, *, base_url: str) -> str:
    """The event's UID for life: ``maintenance-<public id>@<host>``."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"maintenance-{incident.public_id}@{host}"


def _facts(incident: Incident, *, base_url: str, page_name: str) -> tuple:
    """Everything a window's event says, as one hashable value (the cache's key)."""
    names = [c.component.name for c in incident.components if c.component.is_public]
    return (
        window_uid(incident, base_url=base_url),
        incident.updated_at,
        incident.created_at,
        incident.calendar_sequence,
        incident.scheduled_for,
        incident.scheduled_until,
        _text(incident.title),
        ", ".join(_text(n) for n in names) or "no listed components",
        f"{base_url}/incidents/{incident.public_id}",
        incident.state == State.cancelled,
        _text(page_name),
    )


def window_event(incident: Incident, *, base_url: str, page_name: str) -> Event:
    """The VEVENT of one maintenance window; it names public components only."""
    return _event(_facts(incident, base_url=base_url, page_name=page_name))


def _event(facts: tuple) -> Event:
    uid, updated, created, sequence, start, end, title, affects, url, cancelled, page = facts
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", updated)  # the last change: the same bytes until then
    event.add("created", created)
    event.add("last-modified", updated)
    event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"Maintenance: {title}")
    event.add("description", f"Scheduled maintenance on {page}. Affects {affects}.\nDetails: {url}")
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # it does not make the reader busy
    event.add("categories", ["Maintenance"])
    return event


@lru_cache(maxsize=4096)
def _event_bytes(facts: tuple) -> bytes:
    """A window's VEVENT lines: the same facts give the same bytes, so a publish serializes
    only the windows that changed (icalendar costs about a millisecond an event)."""
    return _event(facts).to_ical()


def render_calendar(
    incidents: list[Incident], *, name: str, base_url: str, page_name: str
) -> bytes:
    """An iCalendar object (``METHOD:PUBLISH``) of ``incidents``, earliest first."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", _text(name))  # RFC 7986
    calendar.add("x-wr-calname", _text(name))  # what most calendar apps read
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    head = calendar.to_ical()
    head = head[: head.rindex(_END)]  # the events go in before the calendar's end
    events = [
        _event_bytes(_facts(incident, base_url=base_url, page_name=page_name))
        for incident in sorted(incidents, key=lambda i: (i.scheduled_for, i.id))
    ]
    return head + b"".join(events) + _END


def calendar_name(page_name: str, component_name: str | None = None) -> str:
    """``Acme Status maintenance`` or ``Acme Status: API maintenance``."""
    if component_name is None:
        return f"{_text(page_name)} maintenance"
    return f"{_text(page_name)}: {_text(component_name)} maintenance"


def one_window_calendar(incident: Incident, *, base_url: str, page_name: str) -> bytes:
    """A calendar of one window: its "Add to calendar" file and its emails' attachment."""
    return render_calendar(
        [incident], name=calendar_name(page_name), base_url=base_url, page_name=page_name
    )
