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
from typing import NamedTuple

from sqlalchemy import Integer, String
from sqlalchemy.sql import ColumnElement

from app.core.settings import page_settings
from app.extensions import db
from app.incidents.cadence import DEFAULT_CADENCE_MINUTES
from app.models import CLOSED_STATES, Incident, Reminder, ReminderLevel, Update
from app.reminders.sqltime import epoch

EPSILON = 0.0005  # seconds


def _text(column) -> ColumnElement:
    return db.type_coerce(column, String)


def _cadence_seconds() -> ColumnElement:
    """The cadence of the update's window in seconds: the incident's override, else the page's
    policy for its severity and the update's state (a CASE on each, so a row compares a few
    strings), else the default."""
    settings = page_settings()
    policy = (settings.cadence_policy if settings else None) or {}
    default = DEFAULT_CADENCE_MINUTES * 60
    by_severity = {
        severity: {state: minutes * 60 for state, minutes in sorted(states.items()) if minutes}
        for severity, states in sorted(policy.items())
    }
    by_severity = {severity: states for severity, states in by_severity.items() if states}
    if by_severity:
        policy_seconds = db.case(
            {
                severity: db.case(states, value=_text(Update.state), else_=default)
                for severity, states in by_severity.items()
            },
            value=_text(Incident.severity),
            else_=default,
        )
    else:
        policy_seconds = db.literal(default)
    return db.case(
        (Incident.cadence_minutes > 0, Incident.cadence_minutes * 60), else_=policy_seconds
    )


def comms_figures(where: ColumnElement, now: datetime) -> "CommsFigures":
    """The figures of the incidents matching ``where``, as columns to select from
    ``Incident``: ``updates``, ``windows``, ``met``, ``pending`` (windows still open),
    ``silence`` (seconds), ``first_public`` (seconds after detection, None without a public
    update), ``reminders``, ``escalations``; zero, not NULL, where there is nothing to count.
    Each time is read once per row as seconds since 1970; the rest is arithmetic on those."""
    per_update = (
        db.select(
            Update.incident_id,
            Update.id,
            epoch(Update.posted_at).label("at"),
            epoch(Update.next_update_by).label("promised"),
            _text(Update.state).label("state"),
            (db.func.trim(Update.external_body) != "").label("public"),
            _cadence_seconds().label("cadence"),
        )
        .join(Incident, Update.incident_id == Incident.id)
        .where(where)
        .subquery()
    )
    p = per_update.c
    window = {"partition_by": p.incident_id, "order_by": (p.at, p.id)}
    ordered = db.select(
        p.incident_id,
        p.at,
        p.state,
        p.public,
        db.func.coalesce(p.promised, p.at + p.cadence).label("promise"),
        db.func.lead(p.at).over(**window).label("following"),
    ).subquery()
    u = ordered.c
    in_open_state = u.state.not_in(sorted(s.value for s in CLOSED_STATES))
    # Times stored to the microsecond come back as floats: compared to half a millisecond.
    counted = in_open_state & (u.following.is_not(None) | (u.promise - now.timestamp() < 0))
    met = in_open_state & (u.promise - u.following > -EPSILON)
    # A last window still open: the figures change with the clock until its promise passes.
    pending = in_open_state & u.following.is_(None) & (u.promise - now.timestamp() >= 0)
    first_public = db.func.min(db.case((u.public, u.at)))
    updates = (
        db.select(
            u.incident_id,
            db.func.count().label("updates"),
            db.func.sum(db.case((counted, 1), else_=0)).label("windows"),
            db.func.sum(db.case((met, 1), else_=0)).label("met"),
            db.func.sum(db.case((pending, 1), else_=0)).label("pending"),
            db.func.max(u.following - u.at).label("gap"),  # between updates
            db.func.min(u.at).label("first"),
            db.func.max(u.at).label("last"),
            first_public.label("first_public"),
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
    # The incident's own times, once per incident rather than once per update.
    started = epoch(Incident.started_at)
    detected = epoch(db.func.coalesce(Incident.detected_at, Incident.started_at))
    opening = db.func.coalesce(updates.c.first, started) - started
    tail = db.func.coalesce(epoch(Incident.resolved_at), now.timestamp()) - db.func.coalesce(
        updates.c.last, started
    )
    between = db.case((updates.c.gap > opening, updates.c.gap), else_=opening)
    silence = db.case((between > tail, between), else_=tail)
    first_public = updates.c.first_public - detected
    columns = {
        "updates": db.func.coalesce(updates.c.updates, 0),
        "windows": db.func.coalesce(updates.c.windows, 0),
        "met": db.func.coalesce(updates.c.met, 0),
        "silence": _whole(db.case((silence > 0, silence), else_=0)),
        "first_public": _whole(db.case((first_public < 0, 0), else_=first_public)),
        "pending": db.func.coalesce(updates.c.pending, 0),
        "reminders": db.func.coalesce(reminders.c.reminders, 0),
        "escalations": db.func.coalesce(reminders.c.escalations, 0),
    }
    joins = [
        (updates, updates.c.incident_id == Incident.id),
        (reminders, reminders.c.incident_id == Incident.id),
    ]
    return CommsFigures({k: v.label(k) for k, v in columns.items()}, joins)


class CommsFigures(NamedTuple):
    """Columns to select from ``Incident`` once the joins are outer-joined to it."""

    columns: dict
    joins: list

    def join(self, query):
        """``query`` (selecting from Incident) with the figures' subqueries outer-joined."""
        for subquery, on in self.joins:
            query = query.outerjoin(subquery, on)
        return query


def _whole(seconds: ColumnElement) -> ColumnElement:
    return db.cast(db.func.round(seconds), Integer)
