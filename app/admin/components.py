"""Components and groups in the console (admins), and direct status changes (leads)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import (
    ComponentForm,
    ConfirmForm,
    GroupForm,
    StatusForm,
    options,
    show_error,
)
from app.alerts.modes import edit_component as edit_component_and_alert_mode
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents import components as service
from app.models import Role


def _component_or_404(public_id):
    component = service.get_component(public_id)
    if component is None:
        abort(404, description="There is no such component.")
    return component


def _group_or_404(public_id):
    group = service.get_group(public_id)
    if group is None:
        abort(404, description="There is no such group.")
    return group


def _list_page(status=200, **forms):
    groups, ungrouped = service.components_by_group()
    component_form = forms.get("component_form") or ComponentForm(formdata=None)
    _group_choices(component_form, groups)
    page = {
        "groups": groups,
        "ungrouped": ungrouped,
        "component_form": component_form,
        "group_form": forms.get("group_form") or GroupForm(formdata=None),
        "status_form": StatusForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "error": forms.get("error"),
    }
    return render_template("admin/components/list.html", **page), status


def _group_choices(form, groups=None):
    groups = groups if groups is not None else service.components_by_group()[0]
    form.group_id.choices = options([("", "No group"), *((g.public_id, g.name) for g in groups)])


@bp.route("/components")
def list_components():
    """Components by group, with forms to change them."""
    return _list_page()


@bp.route("/components/new", methods=["POST"])
@require_role(Role.admin)
def create_component():
    """Add a component (admins)."""
    form = ComponentForm()
    if not form.validate():
        return _list_page(422, component_form=form)
    try:
        with unit_of_work():
            service.create_component(
                name=form.name.data,
                actor=current_user,
                slug=form.slug.data,
                description=form.description.data,
                group_id=form.group_id.data or None,
                is_public=form.is_public.data,
            )
    except ServiceError as exc:
        show_error(form, exc)
        return _list_page(422, component_form=form)
    flash("Component added.", "info")
    return redirect(url_for("admin.list_components"))


@bp.route("/components/<public_id>/edit", methods=["GET", "POST"])
@require_role(Role.admin)
def edit_component(public_id):
    """Rename, describe, regroup, hide or show a component (admins)."""
    component = _component_or_404(public_id)
    form = ComponentForm(obj=component if request.method == "GET" else None)
    _group_choices(form)
    if request.method == "GET":
        form.group_id.data = component.group.public_id if component.group else ""
        return render_template("admin/components/edit.html", form=form, component=component)
    if form.validate():
        try:
            with unit_of_work():
                edit_component_and_alert_mode(
                    component,
                    name=form.name.data,
                    actor=current_user,
                    slug=form.slug.data,
                    description=form.description.data,
                    group_id=form.group_id.data or None,
                    is_public=form.is_public.data,
                    alert_mode=form.alert_mode.data,
                )
        except ServiceError as exc:
            show_error(form, exc)
        else:
            flash("Component saved.", "info")
            return redirect(url_for("admin.list_components"))
    return render_template("admin/components/edit.html", form=form, component=component), 422


@bp.route("/components/<public_id>/status", methods=["POST"])
@require_role(Role.lead)
def change_component_status(public_id):
    """Set a component's status directly (leads)."""
    component = _component_or_404(public_id)
    form = StatusForm()
    try:
        with unit_of_work():
            if not form.validate():
                raise ServiceError("This form has expired; reload the page and try again.")
            service.change_component_status(component, status=form.status.data, actor=current_user)
    except ServiceError as exc:
        return _list_page(422, error=exc.message)
    flash(f"{component.name} is now {form.status.data.replace('_', ' ')}.", "info")
    return redirect(url_for("admin.list_components"))


def _confirmed(action, *args, **kwargs):
    """Run a service behind a CSRF-checked button; errors show on the list page."""
    try:
        with unit_of_work():
            if not ConfirmForm().validate():
                raise ServiceError("This form has expired; reload the page and try again.")
            action(*args, actor=current_user, **kwargs)
    except ServiceError as exc:
        return _list_page(422, error=exc.message)
    return redirect(url_for("admin.list_components"))


@bp.route("/components/<public_id>/move/<direction>", methods=["POST"])
@require_role(Role.admin)
def move_component(public_id, direction):
    """Move a component up or down in its group (admins)."""
    step = -1 if direction == "up" else 1
    return _confirmed(service.move_component, _component_or_404(public_id), direction=step)


@bp.route("/components/<public_id>/delete", methods=["POST"])
@require_role(Role.admin)
def delete_component(public_id):
    """Delete a component no open incident uses (admins)."""
    return _confirmed(service.delete_component, _component_or_404(public_id))


@bp.route("/groups/new", methods=["POST"])
@require_role(Role.admin)
def create_group():
    """Add a component group (admins)."""
    form = GroupForm()
    try:
        with unit_of_work():
            if not form.validate():
                raise ServiceError("Keep the name under 120 characters.", field="name")
            service.create_group(name=form.name.data, actor=current_user)
    except ServiceError as exc:
        show_error(form, exc)
        return _list_page(422, group_form=form)
    return redirect(url_for("admin.list_components"))


@bp.route("/groups/<public_id>/rename", methods=["POST"])
@require_role(Role.admin)
def rename_group(public_id):
    """Rename a component group (admins)."""
    form = GroupForm()
    group = _group_or_404(public_id)
    if not form.validate():
        return _list_page(422, error="This form has expired; reload the page and try again.")
    return _confirmed(service.rename_group, group, name=form.name.data)


@bp.route("/groups/<public_id>/move/<direction>", methods=["POST"])
@require_role(Role.admin)
def move_group(public_id, direction):
    """Move a group up or down (admins)."""
    step = -1 if direction == "up" else 1
    return _confirmed(service.move_group, _group_or_404(public_id), direction=step)


@bp.route("/groups/<public_id>/delete", methods=["POST"])
@require_role(Role.admin)
def delete_group(public_id):
    """Delete a group, keeping its components (admins)."""
    return _confirmed(service.delete_group, _group_or_404(public_id))
