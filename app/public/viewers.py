"""Viewers of audience pages sign in by an emailed link and out again; never staff, never
the console (their cookie is not the staff session, and /admin never reads it)."""

import hashlib

from flask import current_app, make_response, redirect, render_template, request

from app.audiences.sessions import COOKIE, cookie_for, read_cookie, revoked
from app.audiences.viewers import admitting_audiences, redeem_link, request_link, sign_out
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.core.users import normalize_email
from app.extensions import limiter
from app.fanout.subscribers import subscribe_viewer, unsubscribe_viewer, viewer_subscription
from app.public import bp
from app.public.viewer_forms import (
    ViewerLinkForm,
    ViewerSignInForm,
    ViewerSignOutForm,
    ViewerUpdatesForm,
)

ADDRESS_SCOPE = "viewer-sign-in-address"


def _address_key() -> str:
    raw = request.form.get("email")
    try:
        email = normalize_email(raw if isinstance(raw, str) else "")
    except ServiceError:
        email = ""
    return hashlib.sha256(email.encode()).hexdigest()  # no addresses in the limiter's store


def _private(response, status=None):
    """A viewer's pages: never stored by a cache, never leaked in a Referer."""
    response = make_response(response) if status is None else make_response(response, status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _secure() -> bool:
    configured = current_app.config.get("SESSION_COOKIE_SECURE")
    return request.is_secure if configured is None else bool(configured)


@bp.route("/viewer/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VIEWER_SIGN_IN_RATE_LIMIT"], methods=["POST"])
@limiter.shared_limit(
    lambda: current_app.config["VIEWER_SIGN_IN_ADDRESS_RATE_LIMIT"],
    scope=ADDRESS_SCOPE,
    key_func=_address_key,
    methods=["POST"],
    override_defaults=False,
)
def viewer_sign_in():
    """Ask for a sign-in link; the answer never says whether the address is admitted."""
    form = ViewerSignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                request_link(form.email.data, next_path=form.next.data)
        except ServiceError as exc:
            form.email.errors.append(exc.message)
        else:
            return _private(render_template("public/viewer_message.html", kind="sent"))
    status = 422 if form.errors else 200
    return _private(render_template("public/viewer_sign_in.html", form=form), status)


@bp.route("/viewer/link/<token>", methods=["GET", "POST"])
def viewer_link(token):
    """The emailed link: GET asks (mail scanners follow links), POST signs in."""
    form = ViewerLinkForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                session, next_path = redeem_link(token)
        except ServiceError as exc:
            html = render_template("public/viewer_message.html", kind="refused", text=exc.message)
            return _private(html, 404)
        response = _private(redirect(next_path))
        response.set_cookie(
            COOKIE,
            cookie_for(session),
            max_age=current_app.config["VIEWER_SESSION_DAYS"] * 86400,
            httponly=True,
            secure=_secure(),
            samesite="Lax",
        )
        return response
    return _private(render_template("public/viewer_link.html", form=form))


@bp.route("/viewer", methods=["GET"])
def viewer_home():
    """Who is signed in, and the audiences they belong to."""
    viewer = read_cookie(request.cookies.get(COOKIE))
    if viewer is None:
        return _private(redirect("/viewer/sign-in"))
    audiences = admitting_audiences(viewer.email)
    html = render_template(
        "public/viewer_home.html", viewer=viewer, audiences=audiences, form=ViewerSignOutForm(),
        **_updates(viewer.email),
    )  # fmt: skip
    return _private(html)


@bp.route("/viewer/sign-out", methods=["POST"])
def viewer_sign_out():
    """End the session on the server, then drop the cookie."""
    form = ViewerSignOutForm()
    viewer = read_cookie(request.cookies.get(COOKIE))
    if form.validate_on_submit() and viewer is not None:
        with unit_of_work():
            sign_out(viewer.session_id)
        revoked.add(viewer.session_id)
    response = _private(render_template("public/viewer_message.html", kind="signed_out"))
    response.delete_cookie(COOKIE, httponly=True, secure=_secure(), samesite="Lax")
    return response


def _updates(email: str) -> dict:
    """The "Email me updates" part of a viewer's page."""
    return {"updates_form": ViewerUpdatesForm(), "subscribed": viewer_subscription(email)}


@bp.route("/viewer/updates", methods=["POST"])
def viewer_updates():
    """Subscribe the signed-in viewer's own address (already proved: confirmed at once, and
    told of their audiences' incidents), or stop it."""
    viewer = read_cookie(request.cookies.get(COOKIE))
    if viewer is None:
        return _private(redirect("/viewer/sign-in?next=/viewer"))
    form = ViewerUpdatesForm()
    if not form.validate_on_submit():
        return _private(redirect("/viewer"))
    try:
        with unit_of_work():
            if form.stop.data:
                unsubscribe_viewer(viewer.email)
            else:
                subscribe_viewer(viewer.email)
    except ServiceError as exc:
        html = render_template(
            "public/viewer_home.html", viewer=viewer, form=ViewerSignOutForm(),
            audiences=admitting_audiences(viewer.email), **_updates(viewer.email),
            updates_error=exc.message,
        )  # fmt: skip
        return _private(html, 422)
    return _private(redirect("/viewer"))
