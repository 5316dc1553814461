"""Admin: audiences, who sees which hidden components and incidents beyond the public page."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.audience_forms import AudienceForm, DeleteAudienceForm
from app.audiences.admissions import MAX_NAME, AudienceDraft, lines
from app.audiences.manage import create_audience, delete_audience, edit_audience
from app.audiences.readers import (
    get_audience,
    incidents_made_public_by_deleting,
    list_audiences,
)
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents.components import components_by_group
from app.models import AdmissionKind, PageAudience, Role

_LISTS = {
    "emails": AdmissionKind.email,
    "domains": AdmissionKind.domain,
    "claims": AdmissionKind.claim,
    "networks": AdmissionKind.network,
}


def _audience(public_id) -> PageAudience:
    audience = get_audience(public_id)
    if audience is None:
        abort(404)
    return audience


@bp.route("/audiences")
@require_role(Role.admin)
def list_audiences_page():
    """Every audience, with what it sees and who it admits."""
    return render_template("admin/audiences.html", audiences=list_audiences())


@bp.route("/audiences/new", methods=["GET", "POST"])
@require_role(Role.admin)
def new_audience():
    """Create an audience."""
    return _audience_form(None)


@bp.route("/audiences/<public_id>", methods=["GET", "POST"])
@require_role(Role.admin)
def edit_audience_page(public_id):
    """Change an audience."""
    return _audience_form(_audience(public_id))


def _fill(form: AudienceForm, audience: PageAudience) -> None:
    form.name.data = audience.name
    form.kind.data = audience.kind.value
    form.components.data = [c.public_id for c in audience.components]
    form.groups.data = [g.public_id for g in audience.groups]
    for name, kind in _LISTS.items():
        getattr(form, name).data = "\n".join(audience.admitted(kind))


def _draft(form: AudienceForm) -> AudienceDraft:
    return AudienceDraft(
        name=form.name.data or "",
        kind=form.kind.data or "",
        component_ids=list(form.components.data or []),
        group_ids=list(form.groups.data or []),
        **{name: lines(getattr(form, name).data) for name in _LISTS},
    )


def _audience_form(audience: PageAudience | None):
    form = AudienceForm()
    if audience is not None and not form.is_submitted():
        _fill(form, audience)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if audience is None:
                    audience = create_audience(_draft(form), actor=current_user)
                else:
                    edit_audience(audience, _draft(form), actor=current_user)
        except ServiceError as exc:
            errors = getattr(exc, "errors", None) or {exc.field or "name": exc.message}
            for name, message in errors.items():
                field = {"component_ids": "components", "group_ids": "groups"}.get(name, name)
                getattr(form, field, form.name).errors.append(message)
        else:
            flash(f"Saved the audience {audience.name}.", "info")
            return redirect(url_for("admin.list_audiences_page"))
    if form.name.errors:  # a pasted megabyte is not sent back
        form.name.data = (form.name.data or "")[: MAX_NAME * 4]
    groups, ungrouped = components_by_group()
    html = render_template(
        "admin/audience_form.html",
        form=form,
        audience=audience,
        groups=groups,
        ungrouped=ungrouped,
    )
    return html, 422 if form.errors else 200


@bp.route("/audiences/<public_id>/delete", methods=["GET", "POST"])
@require_role(Role.admin)
def delete_audience_page(public_id):
    """Ask, then delete an audience: its viewers keep the public page."""
    audience = _audience(public_id)
    form = DeleteAudienceForm()
    if form.validate_on_submit():
        name = audience.name
        with unit_of_work():
            delete_audience(audience, actor=current_user)
        flash(f"Deleted the audience {name}.", "info")
        return redirect(url_for("admin.list_audiences_page"))
    returning = incidents_made_public_by_deleting(audience)
    return render_template(
        "admin/audience_delete.html", form=form, audience=audience, returning=returning
    )
