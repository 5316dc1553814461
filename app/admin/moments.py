"""Correcting an incident's moments (impact start, detection, engagement, mitigation,
resolution) from the console: times in the page's timezone, audited, their order checked."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.common import incident_or_404
from app.admin.forms import MomentsForm, show_error, to_local_input, to_utc
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents.moments import MOMENTS, correct_moments
from app.models import IncidentKind, Role


def _typed(form, incident) -> dict:
    """{moment: new time} for each field the lead changed: a field left as shown (to the
    minute) keeps the stored time, seconds and all."""
    values = {}
    for name, _ in MOMENTS:
        typed = getattr(form, name).data
        if typed == _shown(getattr(incident, name)):
            continue
        values[name] = to_utc(typed)
    return values


def _shown(value):
    local = to_local_input(value)
    return None if local is None else local.replace(second=0, microsecond=0)


@bp.route("/incidents/<public_id>/moments", methods=["GET", "POST"])
@require_role(Role.lead)
def correct_incident_moments(public_id):
    """Correct when impact started, was detected, engaged, mitigated, resolved (leads)."""
    incident = incident_or_404(public_id)
    if incident.kind != IncidentKind.incident:
        flash("A maintenance window has no incident moments; edit its window.", "error")
        return redirect(url_for("admin.show_incident", public_id=incident.public_id))
    form = MomentsForm()
    page = {"form": form, "incident": incident}
    if request.method == "GET":
        for name, _ in MOMENTS:
            getattr(form, name).data = _shown(getattr(incident, name))
        return render_template("admin/incidents/moments.html", **page)
    if not form.validate():
        return render_template("admin/incidents/moments.html", **page), 422
    try:
        with unit_of_work():
            correct_moments(incident, actor=current_user, values=_typed(form, incident))
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/incidents/moments.html", **page), 422
    flash("Moments saved; the change is in the audit log.", "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))
