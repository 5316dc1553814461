"""Availability per component for a period, from the status history, against its target.

Downtime is counted as on the public uptime bars: major outage fully, partial outage at 30 %,
degraded performance not at all. Time under maintenance is counted apart and left out of the
time measured, so a planned window spends no error budget. The error budget is the share of
the measured time the target allows to be down; a status set by an incident's update is
that incident's spending, so the report names the incidents that spent the budget.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from app.extensions import db
from app.models import Component, ComponentStatus, ComponentStatusChange, Incident, Update
from app.sqltypes import utcnow

WEIGHTS = {ComponentStatus.major_outage: 1.0, ComponentStatus.partial_outage: 0.3}
MAINTENANCE = ComponentStatus.under_maintenance
OPERATIONAL = ComponentStatus.operational
NAMED = 5  # incidents named per component, the biggest spenders first


@dataclass
class Availability:
    component: str
    public_id: str
    target: float | None  # percent
    measured: int  # seconds of the period the component existed, maintenance left out
    down: int  # weighted seconds of downtime
    maintenance: int  # seconds under maintenance
    incidents: list = field(default_factory=list)  # [(public id, title, seconds)]

    @property
    def uptime(self) -> float | None:
        """Percent of the measured time up, or None when nothing was measured."""
        return None if not self.measured else 100 * (1 - self.down / self.measured)

    @property
    def budget(self) -> int | None:
        """Seconds of downtime the target allows in the measured time."""
        if self.target is None or not self.measured:
            return None
        return round((100 - self.target) / 100 * self.measured)

    @property
    def spent(self) -> float | None:
        """Percent of the error budget spent (over 100: the target was missed)."""
        budget = self.budget
        return None if not budget else 100 * self.down / budget

    def as_dict(self) -> dict:
        return {
            "component": self.component,
            "public_id": self.public_id,
            "target": self.target,
            "uptime": None if self.uptime is None else round(self.uptime, 4),
            "measured": self.measured,
            "down": self.down,
            "maintenance": self.maintenance,
            "budget": self.budget,
            "spent": None if self.spent is None else round(self.spent, 1),
            "incidents": [
                {"id": public_id, "name": title, "down": seconds}
                for public_id, title, seconds in self.incidents
            ],
        }


def _histories(start: datetime, end: datetime) -> dict[int, list]:
    """{component id: [(at, status, incident id or None)]}: the status at ``start`` (the last
    change before it, one index probe per component) and every change in [start, end)."""
    Change = ComponentStatusChange

    def last_before(column):
        return (
            db.select(column)
            .where(Change.component_id == Component.id, Change.at < start)
            .order_by(Change.at.desc(), Change.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    earlier = db.select(
        Component.id,
        last_before(Change.at),
        last_before(Change.status),
        last_before(Change.update_id),
    )
    during = (
        db.select(Change.component_id, Change.at, Change.status, Change.update_id)
        .where(Change.at >= start, Change.at < end)
        .order_by(Change.at, Change.id)
    )
    found = [row for query in (earlier, during) for row in db.session.execute(query)]
    update_ids = {update_id for *_, update_id in found if update_id is not None}
    incident_of = (
        dict(
            db.session.execute(
                db.select(Update.id, Update.incident_id).where(Update.id.in_(update_ids))
            ).all()
        )
        if update_ids
        else {}
    )
    out = defaultdict(list)
    for component_id, at, status, update_id in found:
        if at is not None:
            out[component_id].append(
                (max(at, start), ComponentStatus(status), incident_of.get(update_id))
            )
    return out


def availability(start: datetime, end: datetime) -> list[Availability]:
    """Each component's availability in [start, end) (up to now), by name."""
    end = min(end, utcnow())
    if end <= start:
        return []
    histories = _histories(start, end)
    components = db.session.execute(
        db.select(
            Component.id,
            Component.name,
            Component.public_id,
            Component.slo_target,
            Component.created_at,
        )
        .where(Component.created_at < end)
        .order_by(Component.name)
    ).all()
    by_incident: dict[int, dict[int, float]] = {}
    rows = []
    for component_id, name, public_id, target, created in components:
        begin = max(start, created)
        history = histories.get(component_id, [])
        opening = [c for c in history if c[0] <= begin]
        marks = [(begin, *opening[-1][1:])] if opening else [(begin, OPERATIONAL, None)]
        marks += [c for c in history if c[0] > begin]
        down = maintenance = 0.0
        spent: dict[int, float] = defaultdict(float)
        for (at, status, incident_id), (until, *_) in zip(marks, [*marks[1:], (end,)], strict=True):
            seconds = max((until - at).total_seconds(), 0.0)
            if status == MAINTENANCE:
                maintenance += seconds
                continue
            weighted = WEIGHTS.get(status, 0.0) * seconds
            down += weighted
            if weighted and incident_id is not None:
                spent[incident_id] += weighted
        by_incident[component_id] = spent
        measured = max((end - begin).total_seconds() - maintenance, 0.0)
        rows.append(
            Availability(
                component=name,
                public_id=public_id,
                target=target,
                measured=round(measured),
                down=round(down),
                maintenance=round(maintenance),
            )
        )
    _name_incidents(rows, [c[0] for c in components], by_incident)
    return rows


def _name_incidents(rows, component_ids, by_incident) -> None:
    ids = {i for spent in by_incident.values() for i in spent}
    if not ids:
        return
    titles = dict(
        (incident_id, (public_id, title))
        for incident_id, public_id, title in db.session.execute(
            db.select(Incident.id, Incident.public_id, Incident.title).where(Incident.id.in_(ids))
        )
    )
    for row, component_id in zip(rows, component_ids, strict=True):
        spent = sorted(by_incident[component_id].items(), key=lambda kv: -kv[1])[:NAMED]
        row.incidents = [(*titles[i], round(seconds)) for i, seconds in spent if i in titles]
