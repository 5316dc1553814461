"""Overdue-update reminders: a periodic tick claims one Reminder per window and level."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from app.core import ServiceError
from app.core.settings import page_settings
from app.extensions import db
from app.incidents.cadence import SNOOZE_LIMIT_FACTOR, cadence_minutes, grace_period
from app.models import (
    CLOSED_STATES,
    AuditEvent,
    Incident,
    Reminder,
    ReminderLevel,
    Setting,
    User,
)
from app.reminders.notify import deliver_reminder
from app.sqltypes import utcnow
from app.timefmt import format_duration


@dataclass(frozen=True)
class Due:
    """Where an incident stands against its promised update time."""

    incident: Incident
    due_at: datetime
    level: ReminderLevel


def level_at(incident: Incident, settings: Setting | None, now: datetime) -> ReminderLevel:
    """The reminder an incident has earned at ``now`` (the highest only, so late ticks send one)."""
    due = incident.next_update_due_at
    if now < due:
        return ReminderLevel.due_soon
    if now < due + grace_period(incident, settings):
        return ReminderLevel.lead
    return ReminderLevel.commander


def due_incidents(now: datetime, settings: Setting | None) -> list[Due]:
    """Open incidents whose next update is due within the warning lead time, or overdue."""
    lead_time = timedelta(minutes=settings.warning_lead_minutes or 5)
    incidents = db.session.scalars(
        db.select(Incident)
        .where(Incident.next_update_due_at <= now + lead_time)
        .where(Incident.resolved_at.is_(None))
        .where(Incident.state.not_in([s.value for s in CLOSED_STATES]))
        .options(selectinload(Incident.lead), selectinload(Incident.commander))
        .order_by(Incident.next_update_due_at)
    )
    return [Due(i, i.next_update_due_at, level_at(i, settings, now)) for i in incidents]


def tick(*, now: datetime | None = None) -> list[Reminder]:
    """One pass: claim and send every reminder that is due. Safe to run from many workers."""
    now = now or utcnow()
    settings = page_settings()
    due_list = due_incidents(now, settings)
    # End the read before claiming: on SQLite a write after an old snapshot fails outright.
    db.session.commit()
    if not due_list:
        return []
    claimed = _claim(due_list, now)
    sent = list(db.session.scalars(db.select(Reminder).where(Reminder.id.in_(claimed))))
    for reminder in sent:
        deliver_reminder(reminder, now=now)
        reminder.sent_at = utcnow()
    db.session.commit()
    return sorted(sent, key=lambda r: r.id)


def _claim(due_list: list[Due], now: datetime) -> list[int]:
    """Insert one row per (incident, window, level) unless it exists; the ids we inserted.

    The unique constraint is the lock: of two ticks racing, exactly one inserts each row,
    and the other's ON CONFLICT DO NOTHING skips it.
    """
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    rows = [
        {"incident_id": d.incident.id, "due_at": d.due_at, "level": d.level, "created_at": now}
        for d in due_list
    ]
    statement = (
        insert(Reminder)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["incident_id", "due_at", "level"])
        .returning(Reminder.id)
    )
    ids = list(db.session.scalars(statement))
    db.session.commit()
    return ids


MAX_REASON = 500


def snooze_incident(
    incident: Incident,
    *,
    until: datetime,
    reason: str,
    actor: User | None = None,
    now: datetime | None = None,
) -> Incident:
    """Push the next update's due time to ``until``, with a reason that is logged."""
    now = now or utcnow()
    settings = page_settings()
    reason = (reason or "").strip()
    if not incident.is_open or incident.resolved_at is not None:
        raise ServiceError("This incident is closed; there is nothing to snooze.")
    if not reason:
        raise ServiceError(
            "Say why the update can wait, e.g. 'waiting on the DB vendor'.", "reason"
        )
    if len(reason) > MAX_REASON:
        raise ServiceError(f"Keep the reason under {MAX_REASON} characters.", "reason")
    if until is None or until.tzinfo is None or until <= now:
        raise ServiceError("Snooze until a time in the future.", "until")
    limit = timedelta(minutes=cadence_minutes(incident, settings) * SNOOZE_LIMIT_FACTOR)
    if until - now > limit:
        raise ServiceError(
            f"A snooze can push the update at most {format_duration(limit.total_seconds())} "
            f"ahead ({SNOOZE_LIMIT_FACTOR} times the cadence).",
            "until",
        )
    previous = incident.next_update_due_at
    incident.next_update_due_at = until
    incident.snoozed_until = until
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action="incident.snoozed",
            object_type="incident",
            object_id=incident.public_id,
            incident_id=incident.id,
            at=now,
            detail={
                "reason": reason,
                "until": until.isoformat(),
                "previous_due": previous.isoformat() if previous else None,
            },
        )
    )
    db.session.flush()
    return incident
