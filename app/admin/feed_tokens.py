"""Admin: every viewer's feed tokens, and revoking any of them."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.admin import bp
from app.audiences.tokens import all_feed_tokens, live_tokens, revoke_feed_token
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.models import Role


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke")


@bp.route("/audiences/feed-tokens")
@require_role(Role.admin)
def list_feed_tokens_page():
    """Every viewer's feed tokens, newest first."""
    return render_template(
        "admin/feed_tokens.html", tokens=all_feed_tokens(), form=RevokeTokenForm(formdata=None)
    )


@bp.route("/audiences/feed-tokens/<public_id>/revoke", methods=["POST"])
@require_role(Role.admin)
def revoke_feed_token_page(public_id):
    """Revoke a viewer's feed token."""
    if RevokeTokenForm().validate_on_submit():
        try:
            with unit_of_work():
                token = revoke_feed_token(public_id, actor=current_user)
        except ServiceError:
            abort(404)
        live_tokens.forget()
        flash(f"Revoked {token.email}'s token {token.label or token.public_id}.")
    return redirect(url_for("admin.list_feed_tokens_page"))
