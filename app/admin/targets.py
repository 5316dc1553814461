"""Setting a component's availability target (its SLO) from the console (admins), audited."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField, SubmitField
from wtforms.validators import Optional

from app.admin import bp
from app.admin.forms import show_error
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents.components import get_component, set_availability_target
from app.models import Role


class TargetForm(FlaskForm):
    target = DecimalField("Availability target (%)", places=3, validators=[Optional()])
    submit = SubmitField("Save target")


@bp.route("/components/<public_id>/target", methods=["GET", "POST"])
@require_role(Role.admin)
def set_component_target(public_id):
    """The percentage of time the component should be up, e.g. 99.9 (admins)."""
    component = get_component(public_id)
    if component is None:
        abort(404, description="There is no such component.")
    form = TargetForm()
    page = {"form": form, "component": component}
    if request.method == "GET":
        form.target.data = component.slo_target
        return render_template("admin/components/target.html", **page)
    if not form.validate():
        return render_template("admin/components/target.html", **page), 422
    target = None if form.target.data is None else float(form.target.data)
    try:
        with unit_of_work():
            set_availability_target(component, target=target, actor=current_user)
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/components/target.html", **page), 422
    flash(f"Target for {component.name} saved.", "info")
    return redirect(url_for("admin.show_reports"))
