"""The reports' histograms and the MTTR-against-MTBF quadrant, drawn by pygal as SVG on the
server and embedded as a data: image (so the page's style policy stays strict: the chart's
styles live in its own document). Each chart comes with a data table and a sentence saying
what it shows."""

import base64
import functools
import sys

import pygal
from pygal.style import Style

from app.reminders.measures import LABELS

# pygal appends an old-style import hook (find_module only) to sys.meta_path for its map
# plugins, which Crier never uses; Python 3.11 warns each time an import falls through to
# it (an error under the test suite's warnings policy). Take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#57606a",
    font_family="system-ui, sans-serif",
    # One colour per severity, SEV1 darkest: told apart by the legend and the table too.
    colors=("#8c1c13", "#c2410c", "#a16207", "#1d4ed8", "#475569"),
)


def histogram_svg(measure: str, bins: list[str], by_severity: dict[str, list[int]]) -> bytes:
    """A bar chart of how many incidents fell in each duration bin, one series per severity."""
    chart = pygal.Bar(
        js=[],  # no script from anywhere: a static picture
        disable_xml_declaration=True,
        style=_STYLE,
        width=720,
        height=320,
        title=f"{LABELS[measure]}: incidents by duration",
        x_title="Duration",
        y_title="Incidents",
        x_label_rotation=30,
        legend_at_bottom=True,
        print_values=False,
        show_minor_y_labels=False,
    )
    chart.x_labels = bins
    for severity, counts in by_severity.items():
        chart.add(severity, counts)
    return chart.render().encode()


def summary_text(measure: str, bins: list[str], by_severity: dict[str, list[int]]) -> str:
    """The chart in one sentence, for its image's text alternative."""
    label = LABELS[measure]
    if not by_severity:
        return f"{label}: no incident has this measure in the period."
    totals = [sum(counts[i] for counts in by_severity.values()) for i in range(len(bins))]
    busiest = max(range(len(bins)), key=totals.__getitem__)
    return (
        f"{label} of {sum(totals)} incidents, by severity "
        f"({', '.join(by_severity)}); the most common duration was {bins[busiest]} "
        f"({totals[busiest]} incidents). The table below gives every count."
    )


@functools.lru_cache(maxsize=128)
def _histogram_src(measure: str, bins: tuple, by_severity: tuple) -> str:
    """The chart as a data URL, drawn once per set of numbers: a report viewed again (a closed
    period's, most often) costs no drawing; the numbers are the key, so nothing goes stale."""
    svg = histogram_svg(measure, list(bins), {s: list(c) for s, c in by_severity})
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def charts(report: dict) -> list[dict]:
    """One chart per measure of the report: its data URL, text alternative and table."""
    out = []
    bins = tuple(report["bins"])
    for measure, by_severity in report["histograms"].items():
        key = tuple((s, tuple(c)) for s, c in by_severity.items())
        out.append(
            {
                "measure": measure,
                "label": LABELS[measure],
                "src": _histogram_src(measure, bins, key) if by_severity else None,
                "alt": summary_text(measure, report["bins"], by_severity),
                "severities": list(by_severity),
                "rows": [
                    (label, [by_severity[s][i] for s in by_severity])
                    for i, label in enumerate(report["bins"])
                ],
            }
        )
    return out


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def quadrant_svg(quadrant: dict) -> bytes:
    """Each component's median time to resolve against its median time between failures, in
    hours, with the lines at the medians that split it into four quadrants."""
    chart = pygal.XY(
        js=[],
        disable_xml_declaration=True,
        style=_STYLE,
        width=720,
        height=420,
        title="Time to resolve against time between failures, per component (medians)",
        x_title="Median time between failures (hours)",
        y_title="Median time to resolve (hours)",
        legend_at_bottom=True,
        print_labels=True,
        dots_size=5,
        show_minor_y_labels=False,
    )
    points = quadrant["components"]
    top = max(_hours(p["ttr"]) for p in points) * 1.15
    right = max(_hours(p["tbf"]) for p in points) * 1.15
    chart.add(
        "Components",
        [{"value": (_hours(p["tbf"]), _hours(p["ttr"])), "label": p["component"]} for p in points],
        stroke=False,
    )
    tbf, ttr = _hours(quadrant["tbf_line"]), _hours(quadrant["ttr_line"])
    chart.add("Median time between failures", [(tbf, 0), (tbf, top)], show_dots=False)
    chart.add("Median time to resolve", [(0, ttr), (right, ttr)], show_dots=False)
    return chart.render().encode()


@functools.lru_cache(maxsize=64)
def _quadrant_src(tbf_line: float, ttr_line: float, points: tuple) -> str:
    quadrant = {
        "tbf_line": tbf_line,
        "ttr_line": ttr_line,
        "components": [{"component": c, "tbf": tbf, "ttr": ttr} for c, tbf, ttr in points],
    }
    return "data:image/svg+xml;base64," + base64.b64encode(quadrant_svg(quadrant)).decode()


def quadrant_chart(report: dict) -> dict:
    """The quadrant's data URL, its text alternative (where each component is) and its rows."""
    quadrant = report["quadrant"]
    points = quadrant["components"]
    if not points:
        return {
            "src": None,
            "alt": "No component has both a time to resolve and a time between failures "
            "in the period.",
            "rows": [],
        }
    src = _quadrant_src(
        quadrant["tbf_line"],
        quadrant["ttr_line"],
        tuple((p["component"], p["tbf"], p["ttr"]) for p in points),
    )
    where = "; ".join(f"{p['component']} {p['quadrant']}" for p in points)
    alt = (
        f"Median time to resolve against median time between failures of {len(points)} "
        f"components, split at the medians ({_hours(quadrant['tbf_line'])} h between "
        f"failures, {_hours(quadrant['ttr_line'])} h to resolve): {where}. "
        "The table below gives every figure."
    )
    return {
        "src": src,
        "alt": alt,
        "rows": points,
    }
