"""Reminders before a maintenance window starts (Statuspage's ``scheduled_remind_prior``).

A window that asks for reminders is reminded at one or two lead times before its start (its
own, else the page's ``MAINTENANCE_REMINDERS``): the tick posts a notice on the window, which
fan-out sends to the subscribers of its components and to its stakeholder groups like any
update. Each (window, lead time, start) goes out once: the tick claims a ``MaintenanceNotice``
row first, in the notice's own transaction, and the unique key is the lock, so two workers
ticking at once or a restart send nothing twice. A tick that finds two lead times past (a
worker down for a day) sends the nearest only and records the other as passed over. A window
moved to a new start is reminded again; a reminder whose moment came before the window was
scheduled is not sent (the scheduling notice said it all).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import ServiceError
from app.core.audit import record
from app.core.settings import page_settings
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.transitions import NOTICE, require_open_window
from app.incidents.updates import add_update, announce_update
from app.models import Dispatch, Incident, IncidentKind, MaintenanceNotice, State, Update
from app.sqltypes import utcnow
from app.timefmt import format_duration, format_local

REMINDER = "reminder"
MAX_LEADS = 2
MAX_LEAD_MINUTES = 14 * 24 * 60
MAX_WINDOWS = 500  # windows looked at per tick; the next tick takes the rest
_LEAD = re.compile(r"^\s*(\d{1,5})\s*(d|h|m|min)?\s*$", re.IGNORECASE)
_UNIT = {"d": 1440, "h": 60, "m": 1, "min": 1, None: 1}


def parse_leads(text: str | None, *, field: str = "remind_minutes") -> tuple[int, ...]:
    """``"24h, 1h"`` or ``"1440,60"`` → ``(1440, 60)``: at most two lead times, the longest
    first; a ServiceError that says what is wrong otherwise."""
    leads = set()
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _LEAD.match(part)
        if not match:
            raise ServiceError(
                f"Give reminder times as minutes or hours before the start, like “24h, 1h” "
                f"(not {part.strip()[:40]!r}).",
                field=field,
            )
        minutes = int(match[1]) * _UNIT[(match[2] or "").lower() or None]
        if not 1 <= minutes <= MAX_LEAD_MINUTES:
            raise ServiceError("A reminder goes out 1 minute to 14 days before.", field=field)
        leads.add(minutes)
    if len(leads) > MAX_LEADS:
        raise ServiceError("Give at most two reminder times.", field=field)
    return tuple(sorted(leads, reverse=True))


def format_leads(leads) -> str:
    """``(1440, 60)`` → ``"24h, 1h"``: the form's and the docs' spelling."""
    parts = []
    for minutes in leads:
        if minutes % 1440 == 0 and minutes > 1440:  # 24h reads better than 1d
            parts.append(f"{minutes // 1440}d")
        elif minutes % 60 == 0:
            parts.append(f"{minutes // 60}h")
        else:
            parts.append(f"{minutes}m")
    return ", ".join(parts)


def page_leads() -> tuple[int, ...]:
    """The page's default lead times (``MAINTENANCE_REMINDERS``)."""
    return parse_leads(current_app.config["MAINTENANCE_REMINDERS"], field="MAINTENANCE_REMINDERS")


def window_leads(incident: Incident) -> tuple[int, ...]:
    """The lead times of a window's reminders: none unless it asks for them."""
    if not incident.remind_prior:
        return ()
    return parse_leads(incident.remind_minutes) if incident.remind_minutes else page_leads()


def clean_reminders(remind_prior: bool | None, remind_minutes: str | None) -> tuple[bool, str]:
    """(remind_prior, stored lead times) from a form or an API body; "" means the page's."""
    leads = parse_leads(remind_minutes)
    return bool(remind_prior), ",".join(str(m) for m in leads)


def planned_reminders(incident: Incident) -> list[tuple[int, datetime]]:
    """(lead minutes, when) of the window's reminders, earliest first (the console's list)."""
    if incident.scheduled_for is None:
        return []
    return [(m, incident.scheduled_for - timedelta(minutes=m)) for m in window_leads(incident)]


def _due(now: datetime) -> list[tuple[int, datetime, int, list[int]]]:
    """(window id, its start, the lead to send, the leads passed over) for every window with a
    reminder due now and not yet claimed."""
    query = (
        db.select(Incident)
        .where(
            Incident.kind == IncidentKind.maintenance,
            Incident.state == State.scheduled,
            Incident.remind_prior.is_(True),
            Incident.scheduled_for > now,
        )
        .order_by(Incident.scheduled_for)
        .limit(MAX_WINDOWS)
    )
    due = []
    for incident in db.session.scalars(query):
        try:
            leads = window_leads(incident)
        except ServiceError:
            current_app.logger.warning("maintenance %s: unreadable reminder times", incident.id)
            continue
        start = incident.scheduled_for
        # A moment before the window was scheduled: its scheduling notice was the reminder.
        past = [m for m in leads if incident.created_at <= start - timedelta(minutes=m) <= now]
        if not past:
            continue
        claimed = set(
            db.session.scalars(
                db.select(MaintenanceNotice.lead_minutes).where(
                    MaintenanceNotice.incident_id == incident.id,
                    MaintenanceNotice.kind == REMINDER,
                    MaintenanceNotice.starts_at == start,
                )
            )
        )
        nearest = min(past)
        if nearest not in claimed:
            due.append((incident.id, start, nearest, [m for m in past if m != nearest]))
    return due


def _claim(incident_id: int, start: datetime, lead: int, now: datetime) -> int | None:
    """Insert the notice's row unless another tick has; its id, or None when it had."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(MaintenanceNotice)
        .values(
            incident_id=incident_id,
            kind=REMINDER,
            lead_minutes=lead,
            starts_at=start,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["incident_id", "kind", "lead_minutes", "starts_at"])
        .returning(MaintenanceNotice.id)
    )
    return db.session.scalar(statement)


def reminder_texts(incident: Incident, *, now: datetime) -> tuple[str, str]:
    """(external, internal) text of a reminder: when the window begins, in words and time."""
    tz = page_settings().timezone
    start, end = incident.scheduled_for, incident.scheduled_until
    left = format_duration((start - now).total_seconds())
    text = (
        f"Reminder: this maintenance begins in {left}, at {format_local(start, tz)}, "
        f"and is expected to end at {format_local(end, tz)}."
    )
    return text, text


def _remind(incident_id: int, start: datetime, lead: int, passed: list[int], now) -> Update | None:
    """One reminder in its own transaction: the claim first (the lock), then the notice."""
    with unit_of_work():
        notice_id = _claim(incident_id, start, lead, now)
        if notice_id is None:
            return None  # another tick sent it
        for other in passed:
            _claim(incident_id, start, other, now)  # passed over: never sent later
        incident = db.session.get(Incident, incident_id)
        if incident.state != State.scheduled or incident.scheduled_for != start:
            raise ServiceError("The window changed since the tick read it.")
        external, internal = reminder_texts(incident, now=now)
        draft = UpdateDraft(external_body=external, internal_body=internal)
        update = add_update(
            incident, draft.check(now=now), state=State.scheduled, move=NOTICE, actor=None, at=now
        )
        db.session.get(MaintenanceNotice, notice_id).update_id = update.id
        incident.reminded_at = now
        return announce_update(update)


def remind_maintenance(*, now: datetime | None = None) -> list[Update]:
    """The tick: send every reminder that is due, each once, each in its own transaction."""
    now = now or utcnow()
    due = _due(now)
    db.session.rollback()  # end the read: a claim must not write after an old snapshot
    sent = []
    for incident_id, start, lead, passed in due:
        try:
            update = _remind(incident_id, start, lead, passed, now)
        except Exception:
            # One broken window must not stop the others; the next tick tries it again.
            current_app.logger.exception("maintenance reminder for %s failed", incident_id)
            continue
        if update is not None:
            sent.append(update)
    return sent


def set_reminders(
    incident: Incident, *, remind_prior: bool, remind_minutes: str | None, actor
) -> Incident:
    """Turn a window's reminders on or off, or change their lead times (audited)."""
    require_open_window(incident)
    remind_prior, remind_minutes = clean_reminders(remind_prior, remind_minutes)
    if (remind_prior, remind_minutes) == (incident.remind_prior, incident.remind_minutes):
        return incident
    incident.remind_prior, incident.remind_minutes = remind_prior, remind_minutes
    record(
        "maintenance.reminders",
        actor=actor,
        obj=incident,
        incident=incident,
        detail={"remind_prior": remind_prior, "remind_minutes": remind_minutes},
    )
    db.session.flush()
    return incident


@dataclass(frozen=True)
class Notice:
    """One step's notice on a window's page: what, when, and what became of it."""

    what: str
    at: datetime | None
    status: str  # "sent", "to come", "passed over", "not sent"
    accepted: int | None = None  # emails the provider took, for a sent notice


def _accepted(update_id: int | None) -> int | None:
    if update_id is None:
        return None
    query = db.select(db.func.coalesce(db.func.sum(Dispatch.accepted_count), 0)).where(
        Dispatch.update_id == update_id
    )
    return db.session.scalar(query)


def window_notices(incident: Incident) -> list[Notice]:
    """The notices of a window, in order: sent (with delivery counts) and still to come."""
    if incident.kind != IncidentKind.maintenance or incident.scheduled_for is None:
        return []
    updates = list(incident.updates)
    notices = []
    if updates:
        first = updates[0]
        status = "sent" if first.notify else "not sent"
        notices.append(Notice("Scheduled", first.posted_at, status, _accepted(first.id)))
    rows = {
        n.lead_minutes: n
        for n in db.session.scalars(
            db.select(MaintenanceNotice).where(
                MaintenanceNotice.incident_id == incident.id,
                MaintenanceNotice.kind == REMINDER,
                MaintenanceNotice.starts_at == incident.scheduled_for,
            )
        )
    }
    try:
        leads = window_leads(incident)
    except ServiceError:
        leads = ()
    for lead in leads:
        at = incident.scheduled_for - timedelta(minutes=lead)
        what = f"Reminder {format_leads([lead])} before"
        row = rows.get(lead)
        if row is not None and row.update_id is not None:
            notices.append(Notice(what, row.created_at, "sent", _accepted(row.update_id)))
        elif row is not None:
            notices.append(Notice(what, at, "passed over"))
        elif at < incident.created_at:
            notices.append(Notice(what, at, "not sent"))  # the scheduling said it
        elif incident.state == State.scheduled:
            notices.append(Notice(what, at, "to come"))
    for state, what, at, auto in (
        (State.in_progress, "At start", incident.scheduled_for, incident.auto_notify),
        (State.completed, "At completion", incident.scheduled_until, incident.auto_notify_end),
    ):
        posted = next((u for u in updates if u.state == state), None)
        if posted is not None:
            status = "sent" if posted.notify else "not sent"
            notices.append(Notice(what, posted.posted_at, status, _accepted(posted.id)))
        elif incident.is_open:
            notices.append(Notice(what, at, "to come" if auto else "not sent"))
    return notices
