"""The page's settings and cadence policy: everyone reads, admins change."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import SettingsForm, cadence_policy, show_error
from app.core import ServiceError
from app.core.settings import CADENCE_STATES, page_settings, secret_hint, update_settings
from app.core.uow import unit_of_work
from app.models import Role, Severity


def _page(form, policy, status=200):
    return render_template(
        "admin/settings.html",
        form=form,
        policy=policy,
        severities=[s.value for s in Severity],
        states=CADENCE_STATES,
        webhook_state=secret_hint(page_settings().slack_webhook_url),
    ), status


def secret_input(field, clear) -> str | None:
    """A write-only field's change: "" clears (the box), blank keeps (None), else the new."""
    if clear.data:
        return ""
    return (field.data or "").strip() or None


@bp.route("/settings", methods=["GET", "POST"])
def edit_settings():
    """The page's settings and cadence policy: everyone reads, admins save."""
    setting = page_settings()
    if request.method == "GET":
        return _page(SettingsForm(obj=setting), setting.cadence_policy)
    if not current_user.can(Role.admin):
        abort(403, description="This needs the admin role.")
    form = SettingsForm()
    policy = cadence_policy()
    if not form.validate():
        return _page(form, policy, 422)
    try:
        with unit_of_work():
            update_settings(
                actor=current_user,
                page_name=form.page_name.data,
                timezone=form.timezone.data,
                public_url=form.public_url.data,
                support_url=form.support_url.data,
                brand_color=form.brand_color.data,
                logo_url=form.logo_url.data,
                cadence_policy=policy,
                warning_lead_minutes=form.warning_lead_minutes.data,
                slack_webhook_url=secret_input(
                    form.slack_webhook_url, form.clear_slack_webhook_url
                ),
                allow_private_outbound=form.allow_private_outbound.data,
                mail_from=form.mail_from.data or "",
                blocked_words=form.blocked_words.data or "",
                ticket_pattern=form.ticket_pattern.data or "",
            )
    except ServiceError as exc:
        show_error(form, exc)
        return _page(form, policy, 422)
    flash("Settings saved.", "info")
    return redirect(url_for("admin.edit_settings"))
