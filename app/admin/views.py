"""The dashboard: every open incident with its countdown, and the worker's heartbeat."""

from flask import render_template

from app.admin import bp
from app.core.worker import worker_status
from app.incidents.dashboard import dashboard_rows
from app.publishing.publish import publish_failures
from app.sqltypes import utcnow


@bp.route("/")
def dashboard():
    """Open incidents with countdowns, delivery, the worker's heartbeat and publish failures."""
    now = utcnow()
    return render_template(
        "admin/dashboard.html",
        rows=dashboard_rows(now),
        worker=worker_status(now),
        publish_failures=publish_failures(),
        now=now,
    )
