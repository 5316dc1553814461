"""Who sees an incident, and the audiences a lead adds to it by hand (beyond those its
components bring): the one rule's answer on the incident's console page, and its form."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.audience_forms import IncidentAudiencesForm
from app.admin.common import incident_or_404
from app.audiences.admissions import AudienceInvalid
from app.audiences.manage import set_incident_audiences
from app.audiences.readers import list_audiences
from app.audiences.seen_by import seen_by_form
from app.auth.roles import require_role
from app.core.uow import unit_of_work
from app.models import Role


@bp.route("/incidents/<public_id>/audiences", methods=["GET", "POST"])
@require_role(Role.lead)
def incident_audiences(public_id):
    """Add audiences to an incident by hand, or take them off (leads); audited."""
    incident = incident_or_404(public_id)
    form = IncidentAudiencesForm()
    audiences = list_audiences()
    if request.method == "GET":
        form.audiences.data = [a.public_id for a in incident.added_audiences]
    page = {"form": form, "incident": incident, "audiences": audiences}
    if request.method == "GET":
        page["seen"] = seen_by_form(incident=incident, component_ids=(), is_public=True)
        return render_template("admin/incidents/audiences.html", **page)
    if not form.validate():
        page["seen"] = seen_by_form(incident=incident, component_ids=(), is_public=True)
        return render_template("admin/incidents/audiences.html", **page), 422
    try:
        with unit_of_work():
            set_incident_audiences(incident, list(form.audiences.data or []), actor=current_user)
    except AudienceInvalid as exc:
        form.audiences.errors = [" ".join(exc.errors.values())]
        page["seen"] = seen_by_form(incident=incident, component_ids=(), is_public=True)
        return render_template("admin/incidents/audiences.html", **page), 422
    flash("Saved: who sees this incident follows at once.", "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))
