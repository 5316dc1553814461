"""Communication reports: how well each incident kept its update promises."""

from flask import Response, render_template

from app.admin import bp
from app.reminders.metrics import incidents_comms, monthly_report, report_csv
from app.sqltypes import utcnow


@bp.route("/reports")
def show_reports():
    records = incidents_comms()
    return render_template(
        "admin/reports.html",
        months=monthly_report(records),
        records=records[:50],
    )


@bp.route("/reports.csv")
def export_reports_csv():
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        report_csv(monthly_report(incidents_comms())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="crier-comms-{stamp}.csv"'},
    )
