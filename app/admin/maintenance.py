"""Maintenance windows in the console: schedule, edit, start, complete, cancel."""

from dataclasses import replace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.common import incident_or_404, move_form
from app.admin.forms import (
    MaintenanceActionForm,
    MaintenanceForm,
    options,
    show_error,
    to_local_input,
    to_utc,
)
from app.admin.texts import form_draft
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents import maintenance as service
from app.incidents.components import all_components
from app.incidents.maintenance_notices import format_leads, page_leads, window_notices
from app.models import Role, State

# A window's page (admin/incidents/show.html) lists its notices: sent, and still to come.
bp.add_app_template_global(window_notices, "window_notices")


@bp.route("/maintenance")
def list_maintenance():
    """Maintenance windows, the latest first."""
    return render_template("admin/maintenance/list.html", windows=service.maintenance_windows())


def _component_choices(form):
    form.components.choices = options((c.public_id, c.name) for c in all_components())


@bp.route("/maintenance/new", methods=["GET", "POST"])
@require_role(Role.lead)
def schedule_maintenance():
    """Schedule a maintenance window (leads)."""
    form = MaintenanceForm()
    _component_choices(form)
    page = {"form": form, "incident": None, "page_leads": format_leads(page_leads())}
    if request.method == "GET":
        return render_template("admin/maintenance/form.html", **page)
    if not form.validate():
        return render_template("admin/maintenance/form.html", **page), 422
    try:
        with unit_of_work():
            window = service.schedule_maintenance(
                form_draft(form),
                title=form.title.data,
                scheduled_for=to_utc(form.scheduled_for.data),
                scheduled_until=to_utc(form.scheduled_until.data),
                actor=current_user,
                components=form.components.data,
                auto_notify=form.auto_notify.data,
                remind_prior=form.remind_prior.data,
                remind_minutes=form.remind_minutes.data,
            )
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/maintenance/form.html", **page), 422
    flash(f"Scheduled “{window.title}”.", "info")
    return redirect(url_for("admin.show_incident", public_id=window.public_id))


@bp.route("/maintenance/<public_id>/edit", methods=["GET", "POST"])
@require_role(Role.lead)
def edit_maintenance(public_id):
    """Change a window, posting a notice of the change (leads)."""
    window = incident_or_404(public_id)
    form = MaintenanceForm()
    _component_choices(form)
    del form.auto_notify, form.remind_prior, form.remind_minutes  # set when scheduling
    page = {"form": form, "incident": window}
    if request.method == "GET":
        form.title.data = window.title
        form.scheduled_for.data = to_local_input(window.scheduled_for)
        form.scheduled_until.data = to_local_input(window.scheduled_until)
        form.components.data = [link.component.public_id for link in window.components]
        return render_template("admin/maintenance/form.html", **page)
    if not form.validate():
        return render_template("admin/maintenance/form.html", **page), 422
    try:
        with unit_of_work():
            service.edit_maintenance(
                window,
                # The notice of a change has always reached stakeholders: the form's
                # stakeholder tick is not read here.
                replace(form_draft(form), notify_stakeholders=True),
                actor=current_user,
                title=form.title.data,
                scheduled_for=to_utc(form.scheduled_for.data),
                scheduled_until=to_utc(form.scheduled_until.data),
                components=form.components.data,
            )
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/maintenance/form.html", **page), 422
    flash("Maintenance changed; a notice of the change was posted.", "info")
    return redirect(url_for("admin.show_incident", public_id=window.public_id))


_ACTIONS = {
    "start": (service.start_maintenance, State.in_progress, "Maintenance started."),
    "complete": (service.complete_maintenance, State.completed, "Maintenance completed."),
    "cancel": (service.cancel_maintenance, State.cancelled, "Maintenance cancelled."),
}


def _act(public_id, action):
    run, state, done = _ACTIONS[action]
    return move_form(
        public_id,
        MaintenanceActionForm(),
        "admin/maintenance/action.html",
        state,
        # A window's stakeholders are told when its subscribers are: the form's stakeholder
        # tick is not read here.
        act=lambda window, draft: run(
            window, replace(draft, notify_stakeholders=draft.notify), actor=current_user
        ),
        done=done,
        action=action,
    )


@bp.route("/maintenance/<public_id>/start", methods=["GET", "POST"])
@require_role(Role.lead)
def start_maintenance(public_id):
    """Start a window by hand (leads)."""
    return _act(public_id, "start")


@bp.route("/maintenance/<public_id>/complete", methods=["GET", "POST"])
@require_role(Role.lead)
def complete_maintenance(public_id):
    """Complete a window by hand (leads)."""
    return _act(public_id, "complete")


@bp.route("/maintenance/<public_id>/cancel", methods=["GET", "POST"])
@require_role(Role.lead)
def cancel_maintenance(public_id):
    """Cancel a window (leads)."""
    return _act(public_id, "cancel")
