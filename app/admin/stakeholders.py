"""Admin: internal stakeholder groups."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin import bp
from app.admin.fanout_forms import DeleteForm, StakeholderGroupForm
from app.audiences.readers import list_audiences
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.fanout.stakeholders import (
    create_group,
    delete_group,
    get_group,
    list_groups,
    update_group,
)
from app.models import Role, StakeholderGroup


def _group(group_id) -> StakeholderGroup:
    group = get_group(group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/stakeholders")
@require_role(Role.admin)
def list_stakeholder_groups():
    """Every stakeholder group."""
    return render_template(
        "admin/stakeholders.html",
        groups=list_groups(),
        delete_form=DeleteForm(),
    )


@bp.route("/stakeholders/new", methods=["GET", "POST"])
@require_role(Role.admin)
def new_stakeholder_group():
    """Create a stakeholder group."""
    return _group_form(None)


@bp.route("/stakeholders/<int:group_id>", methods=["GET", "POST"])
@require_role(Role.admin)
def edit_stakeholder_group(group_id):
    """Change a stakeholder group."""
    return _group_form(_group(group_id))


def _audience_choices(form: StakeholderGroupForm, group: StakeholderGroup | None) -> None:
    form.audience.choices = [SelectChoice("", "Any: every incident at or above that severity")]
    form.audience.choices += [
        SelectChoice(a.public_id, f"{a.name} ({a.kind.value})") for a in list_audiences()
    ]
    if group is not None and not form.is_submitted():
        form.audience.data = group.audience.public_id if group.audience else ""


def _group_form(group: StakeholderGroup | None):
    form = StakeholderGroupForm(obj=group)
    _audience_choices(form, group)
    if group is not None and not form.is_submitted():
        form.emails.data = "\n".join(group.emails)
    if form.validate_on_submit():
        values = {
            "name": form.name.data,
            "emails": form.emails.data,
            "min_severity": form.min_severity.data,
            "audience_id": form.audience.data,
        }
        slack = form.slack_url.data
        try:
            with unit_of_work():
                if group is None:
                    group = create_group(**values, slack_webhook_url=slack, actor=current_user)
                else:
                    update_group(group, **values, slack_webhook_url=slack,
                                 clear_slack=form.clear_slack.data,
                                 actor=current_user)  # fmt: skip
        except ServiceError as exc:
            field = "slack_url" if exc.field == "slack_webhook_url" else exc.field or "name"
            getattr(form, field).errors.append(exc.message)
        else:
            flash(f"Saved the {group.name} group.", "info")
            return redirect(url_for("admin.list_stakeholder_groups"))
    status = 422 if form.errors else 200
    html = render_template("admin/stakeholder_form.html", form=form, group=group)
    return html, status


@bp.route("/stakeholders/<int:group_id>/delete", methods=["POST"])
@require_role(Role.admin)
def delete_stakeholder_group(group_id):
    """Delete a stakeholder group."""
    group = _group(group_id)
    if DeleteForm().validate_on_submit():
        with unit_of_work():
            delete_group(group, actor=current_user)
        flash(f"Deleted the {group.name} group.", "info")
    return redirect(url_for("admin.list_stakeholder_groups"))
