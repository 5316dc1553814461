"""Reports: incident measures (TTD, TTE, TTF, TTR, first update, TBF) for a month, quarter,
year or range against the previous period, and how well each incident kept its update
promises. The page, the CSV and the JSON carry the same rows. Viewers may read them."""

from datetime import date

from flask import Response, abort, jsonify, render_template, request

from app.admin import bp
from app.admin.charts import charts, quadrant_chart
from app.reminders.availability import availability
from app.reminders.metrics import incidents_comms, monthly_report, report_csv
from app.reminders.periods import KINDS, LONGEST_RANGE, measures_report, period_bounds
from app.reminders.periods import report_csv as measures_csv
from app.sqltypes import utcnow

MIN_YEAR, MAX_YEAR = 1970, 2999


def _day(name: str, default: date | None) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw[:10]) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        abort(400, description=f"Give {name} as a date, YYYY-MM-DD, between 1970 and 2999.")
    return day


def _period() -> tuple[str, date, date | None]:
    """The period the query string asks for (a month, by default this one), or a 400."""
    kind = request.args.get("period", "month")
    if kind not in KINDS:
        abort(400, description="Choose the period: month, quarter, year or range.")
    on = _day("on", utcnow().date())
    until = _day("until", None) if kind == "range" else None
    if kind == "range":
        until = until or on
        if until < on:
            abort(400, description="A range ends on or after the day it starts.")
        if until - on > LONGEST_RANGE:
            abort(400, description="A range is at most ten years.")
    return kind, on, until


def _report() -> tuple[dict, tuple]:
    period = _period()
    bounds = period_bounds(*period)
    report = measures_report(*bounds)
    report["availability"] = [row.as_dict() for row in availability(*bounds)]
    return report, period


@bp.route("/reports")
def show_reports():
    report, (kind, on, until) = _report()
    start, end = period_bounds(kind, on, until)
    records = incidents_comms(since=start, until=end)
    return render_template(
        "admin/reports.html",
        report=report,
        charts=charts(report),
        quadrant=quadrant_chart(report),
        period={"kind": kind, "on": on.isoformat(), "until": until.isoformat() if until else ""},
        kinds=KINDS,
        months=monthly_report(records),
        records=records[:50],
    )


def _filename(report: dict, ext: str) -> str:
    return f"crier-measures-{report['start'][:10]}-{report['end'][:10]}.{ext}"


@bp.route("/reports/measures.csv")
def export_measures_csv():
    report, _ = _report()
    return Response(
        measures_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(report, "csv")}"'},
    )


@bp.route("/reports/measures.json")
def export_measures_json():
    report, _ = _report()
    response = jsonify(report)
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(report, "json")}"'
    return response


@bp.route("/reports.csv")
def export_reports_csv():
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        report_csv(monthly_report(incidents_comms())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="crier-comms-{stamp}.csv"'},
    )
