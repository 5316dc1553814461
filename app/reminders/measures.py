"""Incident measures from the moments (docs/reports.md): TTD, TTE, TTF, TTR, time to first
public update, and TBF per component, read as a few columns by SQL, never as ORM incidents;
and their distributions for a period (count, p50, p90, max by nearest rank), by severity and
by component, beside the previous period of the same length."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String

from app.extensions import db
from app.models import Component, Incident, IncidentComponent, IncidentKind
from app.reminders.comms import comms_figures
from app.reminders.sqltime import month_of, seconds_between
from app.sqltypes import utcnow

# (key, label, from, to): each measure is ``to - from`` in seconds, None while either is unknown.
MEASURES = (
    ("ttd", "Time to detect", "impact_started_at", "detected_at"),
    ("tte", "Time to engage", "detected_at", "engaged_at"),
    ("ttf", "Time to fix (to mitigation)", "impact_started_at", "mitigated_at"),
    ("ttr", "Time to resolve", "impact_started_at", "resolved_at"),
    ("ttu", "Time to first public update", "detected_at", "first_public_at"),
)
# How the incident kept its promises (app/reminders/comms.py): the share of its due windows
# met, in whole percent (None while none has closed), and its longest silence in seconds.
COMMS = (("on_time", "Updates on time (% of due windows met)"), ("silence", "Longest silence"))
LABELS = (
    {key: label for key, label, _, _ in MEASURES} | dict(COMMS) | {"tbf": "Time between failures"}
)
UNITS = {"on_time": "percent"}  # the others are seconds
STATS = ("count", "p50", "p90", "max")


def percentile(values: list[int], p: int) -> int | None:
    """The nearest-rank percentile: the smallest value with at least ``p`` % of the values at
    or below it (the value at rank ⌈p/100 * n⌉ of the sorted values); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return ordered[rank - 1]


def summary(values: list[int]) -> dict:
    """{count, p50, p90, max} of ``values`` (seconds), by nearest rank as ``percentile``."""
    if not values:
        return {"count": 0, "p50": None, "p90": None, "max": None}
    ordered = sorted(values)  # once for every figure
    n = len(ordered)
    return {
        "count": n,
        "p50": ordered[max(1, math.ceil(50 * n / 100)) - 1],
        "p90": ordered[max(1, math.ceil(90 * n / 100)) - 1],
        "max": ordered[-1],
    }


def incident_spans(incident: Incident) -> list[tuple[str, int | None]]:
    """[(label, whole seconds or None)] of one incident's measures, for its console page."""
    public = [u.posted_at for u in incident.updates if u.external_body.strip()]
    names = ("impact_started_at", "detected_at", "engaged_at", "mitigated_at", "resolved_at")
    moments = {name: getattr(incident, name) for name in names}
    moments["first_public_at"] = min(public, default=None)
    spans = []
    for _, label, a, b in MEASURES:
        start, end = moments[a], moments[b]
        seconds = None if start is None or end is None else round((end - start).total_seconds())
        spans.append((label, None if seconds is None else max(seconds, 0)))
    return spans


@dataclass
class IncidentMeasures:
    incident_id: int
    severity: str
    current: bool  # declared at or after the split (the report's period, not the one before)
    components: list[str] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)  # measure key -> whole seconds or None
    # The communication tables' figures (app/reminders/comms.py) and what they show of it.
    comms: dict = field(default_factory=dict)


COMMS_COLUMNS = ("updates", "windows", "met", "pending", "reminders", "escalations")


def _declared_in(start: datetime, end: datetime):
    return (
        (Incident.kind == IncidentKind.incident)
        & (Incident.started_at >= start)
        & (Incident.started_at < end)
    )


def incident_measures(
    start: datetime, end: datetime, *, split: datetime | None = None
) -> list[IncidentMeasures]:
    """The measures of every incident declared in [start, end), oldest first; ``current``
    says whether it was declared at or after ``split`` (default ``start``). The database
    compares and subtracts the times: no datetime is parsed per row."""
    in_period = db.select(Incident.id).where(_declared_in(start, end))
    comms = comms_figures(_declared_in(start, end), utcnow())
    c = comms.columns
    moments = {
        "impact_started_at": Incident.impact_started_at,
        "detected_at": Incident.detected_at,
        "engaged_at": Incident.engaged_at,
        "mitigated_at": Incident.mitigated_at,
        "resolved_at": Incident.resolved_at,
    }
    spans = [
        seconds_between(moments[a], moments[b]).label(k) for k, _, a, b in MEASURES if b in moments
    ]
    # The first public update after detection: the figures' own, read with the updates.
    on_time = db.case(
        (c["windows"] > 0, db.cast(db.func.round(100.0 * c["met"] / c["windows"]), Integer))
    )
    query = db.select(
        Incident.id,
        db.type_coerce(Incident.severity, String).label("severity"),
        (Incident.started_at >= (split or start)).label("current"),
        *spans,
        c["first_public"].label("ttu"),
        on_time.label("on_time"),
        c["silence"],
        Incident.public_id,
        Incident.title,
        month_of(Incident.started_at).label("month"),
        *(c[k] for k in COMMS_COLUMNS),
    )
    rows = db.session.execute(
        comms.join(query).where(_declared_in(start, end)).order_by(Incident.started_at, Incident.id)
    ).all()
    if not rows:
        return []
    names = defaultdict(list)
    for incident_id, name in db.session.execute(
        db.select(IncidentComponent.incident_id, Component.name)
        .join(Component, IncidentComponent.component_id == Component.id)
        .where(IncidentComponent.incident_id.in_(in_period))
        .order_by(Component.name)
    ):
        names[incident_id].append(name)
    measure_keys = [k for k, *_ in MEASURES]  # the columns after id, severity, current
    out = []
    for row in rows:  # by position: a mapping per row costs more than the rest of the loop
        values = row[3 : 3 + len(measure_keys)]
        on_time, silence, public_id, title, month, *counts = row[3 + len(measure_keys) :]
        seconds = {k: None if v is None else (v if v > 0 else 0)
                   for k, v in zip(measure_keys, values, strict=True)}  # fmt: skip
        seconds["on_time"], seconds["silence"] = on_time, silence
        comms = dict(zip(COMMS_COLUMNS, counts, strict=True))
        comms |= {"public_id": public_id, "title": title, "month": month,
                  "ttu": seconds["ttu"], "silence": silence}  # fmt: skip
        out.append(IncidentMeasures(row[0], row[1], bool(row[2]), names[row[0]], seconds, comms))
    return out


def between_failures(
    start: datetime, end: datetime, *, split: datetime | None = None
) -> list[tuple[str, bool, int]]:
    """[(component name, current, seconds)]: per component, for each incident whose impact
    started in [start, end), the time from the latest resolution among the component's
    earlier incidents to its impact start (none if it began before that); ``current``: the
    impact started at or after ``split`` (default ``start``)."""
    before = (
        db.func.max(Incident.resolved_at)
        .over(
            partition_by=IncidentComponent.component_id,
            order_by=(Incident.impact_started_at, Incident.id),
            rows=(None, -1),
        )
        .label("previous")
    )
    history = (
        db.select(
            IncidentComponent.component_id,
            Incident.impact_started_at.label("impact"),
            before,
        )
        .join(Incident, IncidentComponent.incident_id == Incident.id)
        .where(Incident.kind == IncidentKind.incident, Incident.impact_started_at < end)
        .subquery()
    )
    rows = db.session.execute(
        db.select(
            Component.name,
            (history.c.impact >= (split or start)).label("current"),
            seconds_between(history.c.previous, history.c.impact),
        )
        .join(history, history.c.component_id == Component.id)
        .where(history.c.impact >= start, history.c.impact >= history.c.previous)
        .order_by(Component.name, history.c.impact)
    ).all()
    return [(name, bool(current), seconds) for name, current, seconds in rows]
