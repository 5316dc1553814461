"""Admin: the viewers signed in to audience pages, and revoking a session (admins only)."""

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.admin import bp
from app.audiences.sessions import revoked
from app.audiences.viewers import MAX_LISTED, live_sessions, revoke_session
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.models import Role

METHODS = {"email": "email link", "oidc": "OpenID Connect"}


class RevokeViewerForm(FlaskForm):
    submit = SubmitField("Revoke")


@bp.route("/audiences/viewers")
@require_role(Role.admin)
def list_viewers_page():
    """Every live viewer session: address, how they signed in, when; revoke."""
    sessions = live_sessions()
    rows = [
        {
            "session": s,
            "method": METHODS.get(s.method, s.method),
            "claims": ", ".join(json.loads(s.claims or "[]")),
        }
        for s in sessions
    ]
    return render_template(
        "admin/audience_viewers.html",
        rows=rows,
        form=RevokeViewerForm(formdata=None),
        bounded=len(sessions) >= MAX_LISTED,
    )


@bp.route("/audiences/viewers/<public_id>/revoke", methods=["POST"])
@require_role(Role.admin)
def revoke_viewer_page(public_id):
    """End a viewer's session at once in this process, within the check interval elsewhere."""
    try:
        with unit_of_work():
            session = revoke_session(public_id, actor=current_user)
            email = session.email
    except ServiceError:
        abort(404)
    revoked.add(public_id)
    flash(f"Revoked the session of {email}: it opens nothing any more.", "success")
    return redirect(url_for("admin.list_viewers_page"))
