"""90-day uptime bars from ComponentStatusChange history.

A day's downtime counts major outage minutes fully and partial outage minutes at 30 %;
degraded performance and maintenance do not count. Days are the page's local days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func

from app.extensions import db
from app.models import ComponentStatus, ComponentStatusChange
from app.timefmt import zone

DAYS = 90
WEIGHTS = {ComponentStatus.major_outage: 1.0, ComponentStatus.partial_outage: 0.3}
# Downtime minutes at or above which a day is shown as a major rather than a minor day.
MAJOR_DAY_MINUTES = 60


@dataclass(frozen=True)
class UptimeDay:
    day: date
    downtime_minutes: float | None  # None: no history for that day yet

    @property
    def level(self) -> str:
        """CSS level of the bar: nodata, none, minor or major."""
        if self.downtime_minutes is None:
            return "nodata"
        if self.downtime_minutes == 0:
            return "none"
        return "major" if self.downtime_minutes >= MAJOR_DAY_MINUTES else "minor"

    @property
    def label(self) -> str:
        """The bar's accessible text, e.g. "23 Nov 2026: 18 min downtime"."""
        when = f"{self.day.day} {self.day:%b %Y}"
        if self.downtime_minutes is None:
            return f"{when}: no data"
        if self.downtime_minutes == 0:
            return f"{when}: no downtime"
        return f"{when}: {round(self.downtime_minutes)} min downtime"


@dataclass(frozen=True)
class Uptime:
    days: list[UptimeDay]
    percent: float | None  # None when there is no history at all


def _local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _histories(component_ids, since):
    """(component_id → [(at, status)]) from the last change before ``since`` onwards."""
    if not component_ids:
        return {}
    last_before = (
        db.select(
            ComponentStatusChange.component_id, func.max(ComponentStatusChange.at).label("at")
        )
        .where(ComponentStatusChange.component_id.in_(component_ids))
        .where(ComponentStatusChange.at < since)
        .group_by(ComponentStatusChange.component_id)
        .subquery()
    )
    earlier = db.select(ComponentStatusChange).join(
        last_before,
        (ComponentStatusChange.component_id == last_before.c.component_id)
        & (ComponentStatusChange.at == last_before.c.at),
    )
    recent = db.select(ComponentStatusChange).where(
        ComponentStatusChange.component_id.in_(component_ids), ComponentStatusChange.at >= since
    )
    out = {cid: [] for cid in component_ids}
    for query in (earlier, recent):
        for change in db.session.scalars(query):
            out[change.component_id].append((change.at, change.status))
    for changes in out.values():
        changes.sort(key=lambda c: c[0])
    return out


def _intervals(component, changes, now):
    """(start, end, status) spans covering the component's known history up to ``now``."""
    if not changes:
        return [(component.created_at, now, component.status)]
    spans = []
    if component.created_at < changes[0][0]:
        spans.append((component.created_at, changes[0][0], ComponentStatus.operational))
    for (at, status), nxt in zip(changes, [*changes[1:], (now, None)], strict=True):
        spans.append((at, max(at, nxt[0]), status))
    return spans


def _day_downtime(spans, start, end):
    covered = sum(max(0.0, (min(e, end) - max(s, start)).total_seconds()) for s, e, _ in spans)
    if covered <= 0:
        return None, 0.0
    down = sum(
        WEIGHTS.get(status, 0.0) * max(0.0, (min(e, end) - max(s, start)).total_seconds())
        for s, e, status in spans
    )
    return down / 60, covered / 60


def uptime_for(components, *, now: datetime, tz_name: str | None, days: int = DAYS):
    """component id → Uptime over the last ``days`` local days ending today."""
    tz = zone(tz_name)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    since = _local_midnight(first_day, tz)
    histories = _histories([c.id for c in components], since)
    result = {}
    for component in components:
        spans = _intervals(component, histories[component.id], now)
        bars, total_down, total_covered = [], 0.0, 0.0
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            start = _local_midnight(day, tz)
            end = min(_local_midnight(day + timedelta(days=1), tz), now)
            down, covered = _day_downtime(spans, start, end)
            bars.append(UptimeDay(day, None if down is None else round(down, 1)))
            total_down += down or 0.0
            total_covered += covered
        percent = None
        if total_covered:
            percent = round(100 * (total_covered - total_down) / total_covered, 2)
        result[component.id] = Uptime(bars, percent)
    return result
