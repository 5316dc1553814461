"""Each person's own settings: timezone and where reminders also go."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ProfileForm, show_error
from app.admin.settings import secret_input
from app.core import ServiceError
from app.core.settings import secret_hint
from app.core.uow import unit_of_work
from app.core.users import update_profile


@bp.route("/profile", methods=["GET", "POST"])
def edit_profile():
    """Your timezone and reminder webhook (any signed-in person, for themselves only)."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                update_profile(
                    current_user,
                    timezone=form.timezone.data,
                    slack_webhook_url=secret_input(
                        form.slack_webhook_url, form.clear_slack_webhook_url
                    ),
                )
        except ServiceError as exc:
            show_error(form, exc)
        else:
            flash("Saved.", "info")
            return redirect(url_for("admin.edit_profile"))
    status = 422 if form.errors else 200
    webhook_state = secret_hint(current_user.slack_webhook_url)
    return render_template("admin/profile.html", form=form, webhook_state=webhook_state), status
