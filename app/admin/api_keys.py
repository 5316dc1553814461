"""Admin: API keys for the management API (Settings → API keys, admins only)."""

from datetime import UTC, datetime, time

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.admin import bp
from app.admin.forms import options, show_error
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.api_keys import create_api_key, get_api_key, list_api_keys, revoke_api_key
from app.core.uow import unit_of_work
from app.models import Role


class ApiKeyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    scope = SelectField(
        "Scope",
        choices=options(
            [
                ("lead", "lead: incidents, updates, component statuses, subscribing"),
                ("admin", "admin: also creates and deletes components, reads subscribers"),
            ]
        ),
        default="lead",
    )
    expires_on = DateField("Expires on (optional)", validators=[Optional()])
    submit = SubmitField("Create key")


class RevokeApiKeyForm(FlaskForm):
    submit = SubmitField("Revoke this key")


def _page(form=None, secret=None, created=None, status=200):
    response = render_template(
        "admin/api_keys.html",
        keys=list_api_keys(),
        form=form or ApiKeyForm(formdata=None),
        secret=secret,
        created=created,
    )
    # The new key is in this page: no cache or history may keep it.
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/settings/api-keys")
@require_role(Role.admin)
def list_api_keys_page():
    """Every key: prefix, scope, created, last used, revoked."""
    return _page()


@bp.route("/settings/api-keys", methods=["POST"])
@require_role(Role.admin)
def create_api_key_page():
    """Create a key; its secret is shown in this one response and never again."""
    form = ApiKeyForm()
    if not form.validate():
        return _page(form, status=422)
    day = form.expires_on.data
    expires_at = datetime.combine(day, time(), tzinfo=UTC) if day else None  # midnight UTC
    try:
        with unit_of_work():
            key, secret = create_api_key(
                form.name.data, scope=form.scope.data, actor=current_user, expires_at=expires_at
            )
    except ServiceError as exc:
        show_error(form, exc)
        return _page(form, status=422)
    return _page(secret=secret, created=key)


@bp.route("/settings/api-keys/<int:key_id>/revoke", methods=["GET", "POST"])
@require_role(Role.admin)
def revoke_api_key_page(key_id):
    """Ask to confirm, then revoke: the key stops working at once."""
    key = get_api_key(key_id)
    if key is None:
        abort(404)
    form = RevokeApiKeyForm()
    if form.validate_on_submit():
        with unit_of_work():
            revoke_api_key(key, actor=current_user)
        flash(f"The key “{key.name}” is revoked.", "info")
        return redirect(url_for("admin.list_api_keys_page"))
    return render_template("admin/api_key_revoke.html", key=key, form=form)
