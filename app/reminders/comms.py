"""Each incident's communication figures, computed by the database: due windows and the ones
met, the longest silence, the first public update, reminders and escalations. The same rules
as ``metrics.incident_comms`` (one incident, in Python, for its console page), read as a few
integers per incident, so a report over thousands of incidents never loads one as an object.

A due window opens with each update in an open state and closes at its promise: its "next
update by", else the posting time plus the cadence (the incident's override, else the
policy's minutes for its severity and that update's state, else 30). It is met when the next
update came by the promise; a window with no next update counts, as missed, once its promise
has passed. The longest silence is the longest gap between the declaration, each update and
the resolution (or now).
"""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.sql import ColumnElement

from app.core.settings import page_settings
from app.extensions import db
from app.incidents.cadence import DEFAULT_CADENCE_MINUTES
from app.models import CLOSED_STATES, Incident, Reminder, ReminderLevel, Update
from app.reminders.sqltime import seconds_between


def _text(column) -> ColumnElement:
    return db.type_coerce(column, String)


def _cadence_seconds() -> ColumnElement:
    """The cadence of the update's window in seconds, as one CASE over the page's policy."""
    settings = page_settings()
    policy = (settings.cadence_policy if settings else None) or {}
    severity, state = _text(Incident.severity), _text(Update.state)
    whens = [
        ((severity == sev) & (state == name), minutes * 60)
        for sev, states in sorted(policy.items())
        for name, minutes in sorted(states.items())
        if minutes
    ]
    policy_seconds = db.case(*whens, else_=DEFAULT_CADENCE_MINUTES * 60) if whens else None
    return db.case(
        (Incident.cadence_minutes > 0, Incident.cadence_minutes * 60),
        else_=policy_seconds if policy_seconds is not None else DEFAULT_CADENCE_MINUTES * 60,
    )


def comms_figures(where: ColumnElement, now: datetime):
    """A subquery of one row per incident matching ``where``: ``incident_id``, ``updates``,
    ``windows``, ``met``, ``silence`` (seconds), ``first_public`` (seconds after detection),
    ``reminders``, ``escalations``. Zero, not NULL, where there is nothing to count."""
    at_now = db.literal(now, type_=Incident.started_at.type)
    order = (Update.posted_at, Update.id)
    following = db.func.lead(Update.posted_at).over(partition_by=Update.incident_id, order_by=order)
    previous = db.func.lag(Update.posted_at).over(partition_by=Update.incident_id, order_by=order)
    per_update = (
        db.select(
            Update.incident_id,
            Update.posted_at,
            Update.next_update_by,
            _text(Update.state).label("state"),
            (db.func.trim(Update.external_body) != "").label("public"),
            following.label("following"),
            previous.label("previous"),
            _cadence_seconds().label("cadence"),
            Incident.started_at,
            db.func.coalesce(Incident.detected_at, Incident.started_at).label("detected"),
        )
        .join(Incident, Update.incident_id == Incident.id)
        .where(where)
        .subquery()
    )
    u = per_update.c
    in_open_state = u.state.not_in(sorted(s.value for s in CLOSED_STATES))

    def by_promise(then):
        """``then`` (a time) is at or before the window's promise."""
        return db.case(
            (u.next_update_by.is_not(None), then <= u.next_update_by),
            else_=seconds_between(u.posted_at, then) <= u.cadence,
        )

    counted = in_open_state & (u.following.is_not(None) | db.not_(by_promise(at_now)))
    met = in_open_state & u.following.is_not(None) & by_promise(u.following)
    gap = seconds_between(db.func.coalesce(u.previous, u.started_at), u.posted_at)
    first_public = db.func.min(db.case((u.public, u.posted_at)))
    updates = (
        db.select(
            u.incident_id,
            db.func.count().label("updates"),
            db.func.sum(db.case((counted, 1), else_=0)).label("windows"),
            db.func.sum(db.case((met, 1), else_=0)).label("met"),
            db.func.max(gap).label("gap"),
            db.func.max(u.posted_at).label("last"),
            seconds_between(db.func.min(u.detected), first_public).label("first_public"),
        )
        .group_by(u.incident_id)
        .subquery()
    )
    level = _text(Reminder.level)
    reminders = (
        db.select(
            Reminder.incident_id,
            db.func.sum(db.case((level != ReminderLevel.commander.value, 1), else_=0)).label(
                "reminders"
            ),
            db.func.sum(db.case((level == ReminderLevel.commander.value, 1), else_=0)).label(
                "escalations"
            ),
        )
        .join(Incident, Reminder.incident_id == Incident.id)
        .where(where)
        .group_by(Reminder.incident_id)
        .subquery()
    )
    tail = seconds_between(
        db.func.coalesce(updates.c.last, Incident.started_at),
        db.func.coalesce(Incident.resolved_at, at_now),
    )
    silence = db.case((updates.c.gap > tail, updates.c.gap), else_=tail)
    return (
        db.select(
            Incident.id.label("incident_id"),
            db.func.coalesce(updates.c.updates, 0).label("updates"),
            db.func.coalesce(updates.c.windows, 0).label("windows"),
            db.func.coalesce(updates.c.met, 0).label("met"),
            db.case((silence > 0, silence), else_=0).label("silence"),
            db.case((updates.c.first_public < 0, 0), else_=updates.c.first_public).label(
                "first_public"
            ),
            db.func.coalesce(reminders.c.reminders, 0).label("reminders"),
            db.func.coalesce(reminders.c.escalations, 0).label("escalations"),
        )
        .outerjoin(updates, updates.c.incident_id == Incident.id)
        .outerjoin(reminders, reminders.c.incident_id == Incident.id)
        .where(where)
        .subquery()
    )
