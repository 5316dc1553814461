"""Reports: incident measures (TTD, TTE, TTF, TTR, first update, TBF) for a month, quarter,
year or range against the previous period, and how well each incident kept its update
promises. The page, the CSV and the JSON carry the same rows. Viewers may read them."""

from datetime import date

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from app.admin import bp
from app.admin.charts import charts, quadrant_chart
from app.admin.forms import show_error
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.models import Role
from app.reminders.availability import availability
from app.reminders.metrics import comms_of, incidents_comms, monthly_report, report_csv
from app.reminders.monthly import choose_monthly_group, group_choices, monthly_groups
from app.reminders.periods import (
    KINDS,
    LONGEST_RANGE,
    measures_report,
    period_bounds,
    read_period,
)
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


def _report() -> tuple[dict, tuple, list]:
    """The report the query string asks for, its period, and its incidents' records."""
    period = _period()
    bounds = period_bounds(*period)
    read = read_period(*bounds)
    report = measures_report(*bounds, read=read)
    report["availability"] = [row.as_dict() for row in availability(*bounds)]
    return report, period, [r for r in read[1] if r.current]


class MonthlyEmailForm(FlaskForm):
    group = SelectField(
        "Email last month's report on the 1st to", choices=[], validate_choice=False
    )
    submit = SubmitField("Save")


def _monthly_form() -> MonthlyEmailForm:
    form = MonthlyEmailForm()
    form.group.choices = [("", "nobody")] + [(str(i), name) for i, name in group_choices()]
    if request.method == "GET":
        chosen = monthly_groups()
        form.group.data = str(chosen[0].id) if chosen else ""
    return form


def _reports_page(monthly_form: MonthlyEmailForm | None = None, status: int = 200):
    report, (kind, on, until), in_period = _report()
    records = comms_of(in_period)  # read with the measures, not a second time
    if monthly_form is None and current_user.can("admin"):
        monthly_form = _monthly_form()
    return render_template(
        "admin/reports.html",
        monthly_form=monthly_form,
        report=report,
        charts=charts(report),
        quadrant=quadrant_chart(report),
        period={"kind": kind, "on": on.isoformat(), "until": until.isoformat() if until else ""},
        kinds=KINDS,
        months=monthly_report(records),
        records=records[:50],
    ), status


@bp.route("/reports")
def show_reports():
    return _reports_page()


@bp.route("/reports/monthly-email", methods=["POST"])
@require_role(Role.admin)
def choose_monthly_email():
    """Which stakeholder group gets last month's report on the 1st (admins; audited)."""
    form = _monthly_form()
    raw = form.group.data or ""
    try:
        if raw and (not raw.isdigit() or len(raw) > 18):  # an id, not a number to overflow
            raise ServiceError("Choose one of the stakeholder groups.", "group")
        with unit_of_work():
            choose_monthly_group(int(raw) if raw else None, actor=current_user)
    except ServiceError as exc:
        show_error(form, exc)
        return _reports_page(form, 422)
    flash("Saved: who gets the monthly report.", "info")
    return redirect(url_for("admin.show_reports") + "#monthly-email")


def _filename(report: dict, ext: str) -> str:
    return f"crier-measures-{report['start'][:10]}-{report['end'][:10]}.{ext}"


@bp.route("/reports/measures.csv")
def export_measures_csv():
    report, *_ = _report()
    return Response(
        measures_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(report, "csv")}"'},
    )


@bp.route("/reports/measures.json")
def export_measures_json():
    report, *_ = _report()
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
