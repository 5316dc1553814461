"""The dashboard: every open incident with its countdown, and the worker's heartbeat."""

from flask import render_template

from app.admin import bp
from app.core.worker import worker_status
from app.incidents.dashboard import dashboard_rows
from app.sqltypes import utcnow


@bp.route("/")
def dashboard():
    """Open incidents with countdowns, delivery and the worker's heartbeat."""
    now = utcnow()
    return render_template(
        "admin/dashboard.html", rows=dashboard_rows(now), worker=worker_status(now), now=now
    )
