"""The dashboard: every open incident with its countdown, and the worker's heartbeat.

The page keeps itself current: its script polls ``dashboard.json`` with the ETag it last saw,
so an unchanged dashboard costs a 304. The rows in that document carry no relative times
("in 6 min"), only absolute ones the browser counts down from, so the ETag changes only when
something the lead must see changes: an incident, an update, a delivery, an overdue state.
"""

from flask import current_app, jsonify, render_template, request

from app.admin import bp
from app.alerts.suggestions import firing_suggestions
from app.core.worker import worker_status
from app.incidents.dashboard import DUE_SOON_SECONDS, dashboard_rows
from app.publishing.publish import publish_failures
from app.sqltypes import utcnow

# Seconds between the dashboard's polls; tests set a short one.
DEFAULT_POLL_SECONDS = 15


def _page(now, *, live: bool) -> dict:
    rows = dashboard_rows(now)
    return {
        "rows": rows,
        "overdue_count": sum(row.overdue for row in rows),
        "worker": worker_status(now),
        "publish_failures": publish_failures(),
        "alert_suggestions": firing_suggestions(),
        "now": now,
        "live": live,
        "due_soon_seconds": DUE_SOON_SECONDS,
        "poll_seconds": current_app.config.get("DASHBOARD_POLL_SECONDS", DEFAULT_POLL_SECONDS),
    }


@bp.route("/")
def dashboard():
    """Open incidents with countdowns, delivery, the worker's heartbeat and publish failures."""
    return render_template("admin/dashboard.html", **_page(utcnow(), live=False))


@bp.route("/dashboard.json")
def dashboard_state():
    """The dashboard's changing parts for its script: the rows and alerts as HTML, counts."""
    page = _page(utcnow(), live=True)
    response = jsonify(
        open=len(page["rows"]),
        overdue=page["overdue_count"],
        rows=render_template("admin/_dashboard_rows.html", **page),
        alerts=render_template("admin/_dashboard_alerts.html", **page),
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)
