"""A viewer's feed tokens: made, listed and revoked on their own page (``/viewer/tokens``)."""

from flask import abort, redirect, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from app.audiences.sessions import COOKIE, read_cookie
from app.audiences.tokens import (
    MAX_LABEL,
    feed_tokens_of,
    issue_feed_token,
    live_tokens,
    revoke_feed_token,
)
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.public import bp
from app.public.viewers import _private
from app.publishing.site import base_url


class FeedTokenForm(FlaskForm):
    label = StringField("What reads it", validators=[Length(max=MAX_LABEL)])
    submit = SubmitField("Make a feed token")


class RevokeFeedTokenForm(FlaskForm):
    submit = SubmitField("Revoke")


def _page(viewer, form, *, made=None, status=200):
    html = render_template(
        "public/viewer_tokens.html",
        viewer=viewer,
        tokens=feed_tokens_of(viewer.email),
        form=form,
        revoke=RevokeFeedTokenForm(formdata=None),
        made=made,
        base=base_url(),
    )
    return _private(html, status)


@bp.route("/viewer/tokens", methods=["GET", "POST"])
def viewer_tokens():
    """The signed-in viewer's feed tokens; POST makes one (shown this once)."""
    viewer = read_cookie(request.cookies.get(COOKIE))
    if viewer is None:
        return _private(redirect("/viewer/sign-in?next=/viewer/tokens"))
    form = FeedTokenForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                _token, raw = issue_feed_token(viewer.email, label=form.label.data or "")
        except ServiceError as exc:
            form.label.errors.append(exc.message)
        else:
            return _page(viewer, FeedTokenForm(formdata=None), made=raw)
    return _page(viewer, form, status=422 if form.errors else 200)


@bp.route("/viewer/tokens/<public_id>/revoke", methods=["POST"])
def revoke_viewer_token(public_id):
    """Revoke one of the viewer's own tokens (another viewer's is not found)."""
    viewer = read_cookie(request.cookies.get(COOKIE))
    if viewer is None:
        return _private(redirect("/viewer/sign-in?next=/viewer/tokens"))
    if RevokeFeedTokenForm().validate_on_submit():
        try:
            with unit_of_work():
                revoke_feed_token(public_id, email=viewer.email)
        except ServiceError:
            abort(404)
        live_tokens.forget()
    return _private(redirect("/viewer/tokens"))
