"""The audit log page, filterable by incident."""

from flask import render_template, request

from app.admin import bp
from app.admin.common import incident_or_404
from app.core.audit import audit_events


@bp.route("/audit")
def list_audit_events():
    """The audit log, newest first, optionally for one incident."""
    public_id = request.args.get("incident") or None
    incident = incident_or_404(public_id) if public_id else None
    return render_template(
        "admin/audit.html", events=audit_events(incident=incident, limit=500), incident=incident
    )
