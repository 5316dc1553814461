"""Correcting a posted update's public text (a typo, a wrong link) from the console: nobody is
told again, the audit log keeps the text it replaced, the public page shows the correction.
The same verb as /api/v1's PATCH of an incident update, with the same checks."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.common import incident_or_404
from app.admin.forms import CorrectUpdateForm, show_error
from app.admin.texts import accepted_keys, show_findings
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents.checking import TextRefused
from app.incidents.queries import update_on
from app.incidents.updates import correct_update_text
from app.models import Role


@bp.route("/incidents/<public_id>/updates/<update_id>/correct", methods=["GET", "POST"])
@require_role(Role.lead)
def correct_update(public_id, update_id):
    """Correct the public text of a posted update without notifying anyone (leads)."""
    incident = incident_or_404(public_id)
    update = update_on(incident, update_id)
    if update is None:
        abort(404, description="There is no such update on this incident.")
    form = CorrectUpdateForm()
    page = {"form": form, "incident": incident, "update": update}
    if request.method == "GET":
        form.external_body.data = update.external_body
        return render_template("admin/incidents/correct.html", **page)
    if not form.validate():
        return render_template("admin/incidents/correct.html", **page), 422
    try:
        with unit_of_work():
            correct_update_text(
                update,
                actor=current_user,
                external_body=form.external_body.data or "",
                accepted=accepted_keys(request.form),
            )
    except TextRefused as exc:
        show_findings(form, exc.findings, update.next_update_by)
        return render_template("admin/incidents/correct.html", **page), 422
    except ServiceError as exc:
        if exc.field == "body":
            exc.field = "external_body"
        show_error(form, exc)
        return render_template("admin/incidents/correct.html", **page), 422
    flash("Update corrected; nobody was notified again.", "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))
