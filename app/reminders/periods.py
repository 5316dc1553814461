"""Reports of incident measures for a month, a quarter, a year or any range (UTC days), by
severity and by component, each figure beside the previous period of the same length. One
list of rows feeds the page, the CSV and the JSON, so they carry the same numbers."""

import bisect
import csv
import io
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from app.models import Severity
from app.reminders import closed
from app.reminders.measures import (
    COMMS,
    LABELS,
    MEASURES,
    STATS,
    UNITS,
    between_failures,
    incident_measures,
    summary,
)

KINDS = ("month", "quarter", "year", "range")
LONGEST_RANGE = timedelta(days=3660)  # ten years: a report, not a scan of everything


def period_bounds(kind: str, day: date, until: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the month, quarter or year holding ``day``, or the days ``day`` to
    ``until`` (both included) for a range; midnight UTC."""
    if kind == "month":
        first = day.replace(day=1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    elif kind == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        month = first.month + 3
        after = date(first.year + (month > 12), (month - 1) % 12 + 1, 1)
    elif kind == "year":
        first, after = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    else:
        first, after = day, (until or day) + timedelta(days=1)
    return _midnight(first), _midnight(after)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


SEVERITIES = [s.value for s in Severity]


def _by_severity(records) -> dict[str, list]:
    grouped = defaultdict(list)
    for record in records:
        grouped[record.severity].append(record)
    return {severity: grouped[severity] for severity in SEVERITIES if grouped[severity]}


def _figures(records, gaps) -> dict:
    """{(group, name, measure): summary} for one period's incidents and TBF gaps."""
    groups = {("all", "all"): records}
    for severity, chosen in _by_severity(records).items():
        groups[("severity", severity)] = chosen
    by_component = defaultdict(list)
    for record in records:
        for name in record.components:
            by_component[name].append(record)
    for name in sorted(by_component):
        groups[("component", name)] = by_component[name]
    figures = {}
    keys = [key for key, *_ in MEASURES] + [key for key, _ in COMMS]
    for (group, name), chosen in groups.items():
        for key in keys:
            values = [r.seconds[key] for r in chosen if r.seconds[key] is not None]
            figures[(group, name, key)] = summary(values)
    gaps_by_component = defaultdict(list)
    for name, seconds in gaps:
        gaps_by_component[name].append(seconds)
    for name, values in gaps_by_component.items():
        figures[("component", name, "tbf")] = summary(values)
    return figures


# Histogram bins: (label, upper bound in seconds, excluded); the last has none.
BINS = (
    ("under 5 min", 5 * 60),
    ("5 to 15 min", 15 * 60),
    ("15 to 30 min", 30 * 60),
    ("30 to 60 min", 60 * 60),
    ("1 to 2 h", 2 * 3600),
    ("2 to 4 h", 4 * 3600),
    ("4 to 8 h", 8 * 3600),
    ("8 to 24 h", 24 * 3600),
    ("24 h or more", None),
)


_UPPERS = [upper for _, upper in BINS[:-1]]


def _bin(seconds: int) -> int:
    """The bin holding ``seconds``: the first whose upper bound is above it."""
    return bisect.bisect_right(_UPPERS, seconds)


def histograms(records) -> dict:
    """{measure: {severity: [count per bin]}} of the period's incidents, for the severities
    that have a value of the measure."""
    grouped = _by_severity(records)
    out = {}
    for key, *_ in MEASURES:
        out[key] = {}
        for severity, chosen in grouped.items():
            values = [r.seconds[key] for r in chosen if r.seconds[key] is not None]
            if values:
                counts = [0] * len(BINS)
                for value in values:
                    counts[_bin(value)] += 1
                out[key][severity] = counts
    return out


def read_period(start: datetime, end: datetime) -> tuple[datetime, list, list]:
    """What the report of [start, end) reads: the start of the period before it, the
    incidents' measures of both periods and the components' gaps between failures. A closed
    period's read is remembered (``app/reminders/closed.py``) until the data under it changes."""
    key = closed.fingerprint(start, end)
    if key is not None and (read := closed.recall(key)) is not None:
        return read
    before = start - (end - start)
    read = (
        before,
        incident_measures(before, end, split=start),
        between_failures(before, end, split=start),
    )
    if key is not None and closed.settled(read[1]):
        closed.remember(key, read)
    return read


def measures_report(start: datetime, end: datetime, *, read: tuple | None = None) -> dict:
    """The report for [start, end) and the period of the same length before it: one row per
    group (all, each severity, each component) and measure, seconds, None when there is none.
    Both periods come from one read of each kind (``read_period``; pass its result to reuse
    it for the page's other tables)."""
    before, records, gaps = read or read_period(start, end)
    in_period = [r for r in records if r.current]
    now = _figures(
        in_period,
        [(name, seconds) for name, current, seconds in gaps if current],
    )
    then = _figures(
        [r for r in records if not r.current],
        [(name, seconds) for name, current, seconds in gaps if not current],
    )
    order = {"all": 0, "severity": 1, "component": 2}
    keys = sorted(set(now) | set(then), key=lambda k: (order[k[0]], k[1], _rank(k[2])))
    empty = summary([])
    rows = []
    for group, name, key in keys:
        current, previous = now.get((group, name, key), empty), then.get((group, name, key), empty)
        rows.append(
            {"group": group, "name": name, "measure": key, "label": LABELS[key]}
            | {"unit": UNITS.get(key, "seconds")}
            | {stat: current[stat] for stat in STATS}
            | {f"previous_{stat}": previous[stat] for stat in STATS}
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "previous_start": before.isoformat(),
        "percentiles": "nearest rank",
        "unit": "seconds, but whole percent for a row whose unit says so",
        "rows": rows,
        "bins": [label for label, _ in BINS],
        "histograms": histograms(in_period),
        "quadrant": quadrant(rows),
    }


def quadrant(rows: list[dict]) -> dict:
    """MTTR against MTBF per component (the Launchable quadrant), with medians, not means: each
    component's p50 time to resolve and p50 time between failures in the period, for those
    that have both, and the lines at the median of those figures across the components. A
    component on a line counts as failing rarely (TBF) or recovering fast (TTR)."""
    p50 = defaultdict(dict)
    for row in rows:
        if row["group"] == "component" and row["measure"] in ("ttr", "tbf") and row["p50"]:
            p50[row["name"]][row["measure"]] = row["p50"]
    points = [(name, f["tbf"], f["ttr"]) for name, f in sorted(p50.items()) if len(f) == 2]
    if not points:
        return {"tbf_line": None, "ttr_line": None, "components": []}
    tbf_line = statistics.median(tbf for _, tbf, _ in points)
    ttr_line = statistics.median(ttr for *_, ttr in points)
    return {
        "tbf_line": tbf_line,
        "ttr_line": ttr_line,
        "components": [
            {
                "component": name,
                "tbf": tbf,
                "ttr": ttr,
                "quadrant": f"fails {'rarely' if tbf >= tbf_line else 'often'}, "
                f"recovers {'fast' if ttr <= ttr_line else 'slowly'}",
            }
            for name, tbf, ttr in points
        ],
    }


RANKS = [k for k, *_ in MEASURES] + [k for k, _ in COMMS] + ["tbf"]


def _rank(key: str) -> int:
    return RANKS.index(key)


COLUMNS = ["group", "name", "measure", "unit", *STATS, *(f"previous_{s}" for s in STATS)]


AVAILABILITY_COLUMNS = ["component", "uptime", "target", "measured", "down", "maintenance",
                        "budget", "spent", "spent_by"]  # fmt: skip


def _cell(value) -> str | int | float:
    return "" if value is None else value


def report_csv(report: dict) -> str:
    """The report as CSV, four tables a blank line apart, each with its header: the measures'
    rows (seconds; an empty cell where there is no value), the histograms (one row per measure
    and severity, a column per bin), the availability (seconds, percent; ``spent_by`` lists
    ``public id=seconds`` of the incidents that spent the budget) and the quadrant."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report["rows"]:
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    out.write("\n")
    writer.writerow(["histogram", "severity", *report["bins"]])
    for measure, by_severity in report["histograms"].items():
        for severity, counts in by_severity.items():
            writer.writerow([measure, severity, *counts])
    out.write("\n")
    writer.writerow(AVAILABILITY_COLUMNS)
    for row in report.get("availability", []):
        spent_by = " ".join(f"{i['id']}={i['down']}" for i in row["incidents"])
        writer.writerow([*(_cell(row[c]) for c in AVAILABILITY_COLUMNS[:-1]), spent_by])
    out.write("\n")
    writer.writerow(["quadrant_component", "tbf_p50", "ttr_p50", "quadrant"])
    for point in report["quadrant"]["components"]:
        writer.writerow([point["component"], point["tbf"], point["ttr"], point["quadrant"]])
    return out.getvalue()
