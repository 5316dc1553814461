"""90-day uptime bars from ComponentStatusChange history.

A day's downtime counts major outage minutes fully and partial outage minutes at 30 %;
degraded performance and maintenance do not count. Days are the page's local days.

Every component's bars come from two indexed queries over the window (and the one change
before it), then one pass over the days and spans: the cost follows the last 90 days, never
the archive. The bars are compact markup hidden from assistive technology; a screen reader
reads one sentence per component (``Uptime.sentence``) instead of 90 days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise

from markupsafe import Markup

from app.extensions import db
from app.models import Component, ComponentStatus, ComponentStatusChange
from app.publishing.kept import Kept
from app.timefmt import zone

DAYS = 90
WEIGHTS = {ComponentStatus.major_outage: 1.0, ComponentStatus.partial_outage: 0.3}
# Downtime minutes at or above which a day is shown as a major rather than a minor day.
MAJOR_DAY_MINUTES = 60
NAMED_OUTAGES = 10  # outage days a component's sentence names; more are counted
_CLASS = {"none": "", "nodata": ' class="n"', "minor": ' class="m"', "major": ' class="x"'}


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
        """The day's details, e.g. "23 Nov 2026: 18 min downtime"."""
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

    def sentence(self, name: str) -> str:
        """What a screen reader reads for the bars: one sentence, e.g. "API: 99.99 % uptime
        over 90 days; outages on 3 days: 14 Nov, 2 Dec, 5 Dec."."""
        if self.percent is None:
            return f"{name}: no uptime data yet."
        out = [d.day for d in self.days if d.downtime_minutes]
        text = f"{name}: {self.percent:.2f} % uptime over {len(self.days)} days; "
        if not out:
            return text + "no outages."
        named = ", ".join(f"{d.day} {d:%b}" for d in out[:NAMED_OUTAGES])
        more = f" and {len(out) - NAMED_OUTAGES} more" if len(out) > NAMED_OUTAGES else ""
        days = "day" if len(out) == 1 else "days"
        return text + f"outages on {len(out)} {days}: {named}{more}."

    def bars(self) -> Markup:
        """The bars' markup: one empty element a day, the outage days with their details."""
        key = tuple((d.level, d.downtime_minutes) for d in self.days)
        return _bars(self.days[0].day if self.days else None, key)


@lru_cache(maxsize=256)
def _bars(first: date | None, days: tuple) -> Markup:
    """Bars for days from ``first`` with these (level, minutes): equal inputs, equal bytes,
    so 50 quiet components cost one render (the inputs are the whole key)."""
    parts = []
    for offset, (level, minutes) in enumerate(days):
        if level in ("minor", "major"):
            label = UptimeDay(first + timedelta(days=offset), minutes).label
            parts.append(f'<i{_CLASS[level]} data-m="{round(minutes)}" title="{label}"></i>')
        else:
            parts.append(f"<i{_CLASS[level]}></i>")
    return Markup("".join(parts))  # noqa: S704 - fixed classes, numbers and dates only


def _local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _histories(component_ids, since):
    """(component_id → [(at, status)]) from the last change before ``since`` onwards: one
    index seek per component for the change before, one range scan for the window."""
    if not component_ids:
        return {}
    Change = ComponentStatusChange

    def last_before(column):
        return (
            db.select(column)
            .where(Change.component_id == Component.id, Change.at < since)
            .order_by(Change.at.desc(), Change.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    earlier = db.select(Component.id, last_before(Change.at), last_before(Change.status)).where(
        Component.id.in_(component_ids)
    )
    recent = db.select(Change.component_id, Change.at, Change.status).where(
        Change.component_id.in_(component_ids), Change.at >= since
    )
    out = {cid: [] for cid in component_ids}
    for query in (earlier, recent):
        for component_id, at, status in db.session.execute(query):
            if at is not None:  # no change before the window
                out[component_id].append((at, status))
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


def _per_day(spans, bounds):
    """[(downtime minutes or None, covered minutes)] per (start, end) day, in one pass: the
    spans are in time order, so each day starts where the last one's spans left off."""
    out, first = [], 0
    for start, end in bounds:
        while first < len(spans) and spans[first][1] <= start:
            first += 1
        covered = down = 0.0
        for s, e, status in spans[first:]:
            if s >= end:
                break
            seconds = (min(e, end) - max(s, start)).total_seconds()
            if seconds > 0:
                covered += seconds
                down += WEIGHTS.get(status, 0.0) * seconds
        out.append((down / 60, covered / 60) if covered > 0 else (None, 0.0))
    return out


_past = Kept(512)  # components' past days (89 small objects each)


def _past_days(component, changes, spans, bounds, key) -> tuple[list, list]:
    """The bars and (downtime, covered) minutes of every day before today. They do not move
    with the clock within a day, so a component whose history did not change since the last
    publish today costs a lookup: the key holds its changes, creation, status and the days."""
    key = (component.id, component.created_at, component.status, tuple(changes), *key)
    found = _past.get(key)
    if found is None:
        per_day = _per_day(spans, bounds)
        bars = [
            UptimeDay(start_day, None if down is None else round(down, 1))
            for start_day, (down, _) in zip(key[-1], per_day, strict=True)
        ]
        found = _past.put(key, (bars, per_day))
    return found


def uptime_for(components, *, now: datetime, tz_name: str | None, days: int = DAYS):
    """component id → Uptime over the last ``days`` local days ending today."""
    tz = zone(tz_name)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    local_days = [first_day + timedelta(days=offset) for offset in range(days)]
    midnights = [_local_midnight(d, tz) for d in [*local_days, today + timedelta(days=1)]]
    bounds = [(start, min(end, now)) for start, end in pairwise(midnights)]
    histories = _histories([c.id for c in components], midnights[0])
    past_key = (tz_name, tuple(local_days[:-1]))
    result = {}
    for component in components:
        changes = histories[component.id]
        spans = _intervals(component, changes, now)
        past_bars, past = _past_days(component, changes, spans, bounds[:-1], past_key)
        (down, covered) = _per_day(spans, bounds[-1:])[0]  # today: up to now
        bars = [*past_bars, UptimeDay(today, None if down is None else round(down, 1))]
        per_day = [*past, (down, covered)]
        total_down = sum(down or 0.0 for down, _ in per_day)
        total_covered = sum(covered for _, covered in per_day)
        percent = None
        if total_covered:
            percent = round(100 * (total_covered - total_down) / total_covered, 2)
        result[component.id] = Uptime(bars, percent)
    return result
