"""Communication figures SRE teams report: time to first update, cadence kept, silences."""

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from sqlalchemy import String

from app.core.settings import page_settings
from app.extensions import db
from app.incidents.cadence import cadence_minutes
from app.models import (
    CLOSED_STATES,
    Incident,
    IncidentKind,
    Reminder,
    ReminderLevel,
    Setting,
)
from app.reminders.comms import comms_figures
from app.reminders.sqltime import month_of
from app.sqltypes import utcnow


@dataclass
class IncidentComms:
    incident: "Incident | IncidentRef"
    time_to_first_external: timedelta | None
    updates: int
    windows: int
    windows_met: int
    longest_silence: timedelta
    reminders: int
    escalations: int

    @property
    def adherence(self) -> float | None:
        """Share of due windows met on time, 0..1, or None when none has closed yet."""
        return self.windows_met / self.windows if self.windows else None


def incident_comms(
    incident: Incident, *, settings: Setting | None, reminders: list[Reminder], now: datetime
) -> IncidentComms:
    """The communication record of one incident."""
    updates = sorted(incident.updates, key=lambda u: u.posted_at)
    external = [u for u in updates if u.is_public]
    # From detection (docs/reports.md): the declaration is itself often the first update.
    detected = incident.detected_at or incident.started_at
    first = max(external[0].posted_at - detected, timedelta(0)) if external else None
    windows = met = 0
    followers = [*updates[1:], None] if updates else []
    for current, following in zip(updates, followers, strict=True):
        if current.state in CLOSED_STATES:
            continue
        promise = current.next_update_by or current.posted_at + timedelta(
            minutes=cadence_minutes(incident, settings, current.state)
        )
        if following is None:
            if now <= promise:
                continue  # the window is still open and not yet missed
            windows += 1
            continue
        windows += 1
        met += following.posted_at <= promise
    end = incident.resolved_at or now
    marks = [incident.started_at, *(u.posted_at for u in updates), end]
    silence = max((b - a for a, b in pairwise(marks)), default=timedelta(0))
    return IncidentComms(
        incident=incident,
        time_to_first_external=first,
        updates=len(updates),
        windows=windows,
        windows_met=met,
        longest_silence=max(silence, timedelta(0)),
        reminders=sum(r.level is not ReminderLevel.commander for r in reminders),
        escalations=sum(r.level is ReminderLevel.commander for r in reminders),
    )


def comms_for(incident: Incident, *, now: datetime | None = None) -> IncidentComms:
    """One incident's communication record, with its reminders."""
    reminders = list(db.session.scalars(db.select(Reminder).filter_by(incident_id=incident.id)))
    settings = page_settings()
    return incident_comms(incident, settings=settings, reminders=reminders, now=now or utcnow())


class IncidentRef(NamedTuple):
    """What the report's tables show of an incident, read as columns, not as an object."""

    public_id: str
    title: str
    severity: str
    month: str  # YYYY-MM of its declaration, UTC


def incidents_comms(
    *, since: datetime | None = None, until: datetime | None = None, now: datetime | None = None
) -> list[IncidentComms]:
    """The communication record of every incident started since ``since`` (and before
    ``until``), newest first, computed by the database (``comms.comms_figures``)."""
    where = Incident.kind == IncidentKind.incident
    if since is not None:
        where &= Incident.started_at >= since
    if until is not None:
        where &= Incident.started_at < until
    figures = comms_figures(where, now or utcnow())
    f = figures.columns
    query = db.select(
        Incident.public_id,
        Incident.title,
        db.type_coerce(Incident.severity, String),
        month_of(Incident.started_at),
        *(f[k] for k in ("first_public", "updates", "windows", "met", "silence")),
        *(f[k] for k in ("reminders", "escalations")),
    )
    rows = db.session.execute(
        figures.join(query).where(where).order_by(Incident.started_at.desc(), Incident.id.desc())
    ).all()
    return [
        IncidentComms(
            incident=IncidentRef(public_id, title, severity, month),
            time_to_first_external=None if first is None else timedelta(seconds=first),
            updates=updates,
            windows=windows,
            windows_met=met,
            longest_silence=timedelta(seconds=silence),
            reminders=reminders,
            escalations=escalations,
        )
        for (public_id, title, severity, month, first, updates, windows, met, silence,
             reminders, escalations) in rows
    ]  # fmt: skip


def comms_of(records) -> list[IncidentComms]:
    """The communication records of the report's incidents (``measures.IncidentMeasures``,
    oldest first, read with the measures), newest first, as ``incidents_comms`` gives them."""
    out = []
    for record in reversed(records):
        c = record.comms
        out.append(
            IncidentComms(
                incident=IncidentRef(c["public_id"], c["title"], record.severity, c["month"]),
                time_to_first_external=None if c["ttu"] is None else timedelta(seconds=c["ttu"]),
                updates=c["updates"],
                windows=c["windows"],
                windows_met=c["met"],
                longest_silence=timedelta(seconds=c["silence"]),
                reminders=c["reminders"],
                escalations=c["escalations"],
            )
        )
    return out


@dataclass
class MonthRow:
    month: str
    incidents: int
    median_first_update_min: float | None
    updates: int
    windows: int
    windows_met: int
    longest_silence_min: float
    reminders: int
    escalations: int

    @property
    def adherence(self) -> float | None:
        return self.windows_met / self.windows if self.windows else None


def _month(incident) -> str:
    return incident.month if isinstance(incident, IncidentRef) else f"{incident.started_at:%Y-%m}"


def monthly_report(records: list[IncidentComms]) -> list[MonthRow]:
    """Per calendar month (UTC) of the incidents' start, newest first."""
    months = defaultdict(list)
    for record in records:
        months[_month(record.incident)].append(record)
    rows = []
    for month in sorted(months, reverse=True):
        group = months[month]
        firsts = [r.time_to_first_external.total_seconds() / 60 for r in group
                  if r.time_to_first_external is not None]  # fmt: skip
        rows.append(
            MonthRow(
                month=month,
                incidents=len(group),
                median_first_update_min=round(statistics.median(firsts), 1) if firsts else None,
                updates=sum(r.updates for r in group),
                windows=sum(r.windows for r in group),
                windows_met=sum(r.windows_met for r in group),
                longest_silence_min=round(
                    max(r.longest_silence.total_seconds() for r in group) / 60, 1
                ),
                reminders=sum(r.reminders for r in group),
                escalations=sum(r.escalations for r in group),
            )
        )
    return rows


CSV_COLUMNS = [
    "month",
    "incidents",
    "median_first_update_min",
    "updates",
    "due_windows",
    "windows_met",
    "adherence_pct",
    "longest_silence_min",
    "reminders",
    "escalations",
]


def report_csv(rows: list[MonthRow]) -> str:
    """The monthly table as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        adherence = "" if r.adherence is None else f"{100 * r.adherence:.1f}"
        first = "" if r.median_first_update_min is None else r.median_first_update_min
        writer.writerow([r.month, r.incidents, first, r.updates, r.windows, r.windows_met,
                         adherence, r.longest_silence_min, r.reminders, r.escalations])  # fmt: skip
    return out.getvalue()
