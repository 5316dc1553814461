"""Viewers of audience pages sign in by an emailed link or OpenID Connect, and out again;
never staff, never the console (their cookie is not the staff session, and /admin never
reads it)."""

import hashlib
import hmac

from flask import abort, current_app, make_response, redirect, render_template, request

from app.audiences import oidc
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
STATE_COOKIE = "crier_viewer_oidc"  # the state of this browser's sign-in under way


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
    return _private(_sign_in_page(form), status)


def _sign_in_page(form) -> str:
    oidc_name = oidc.provider_name() if oidc.configured() else None
    return render_template("public/viewer_sign_in.html", form=form, oidc_name=oidc_name)


def _signed_in(session, next_path: str):
    """Go on to ``next_path`` with the viewer's cookie."""
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


def _refused(exc: ServiceError, status: int):
    html = render_template("public/viewer_message.html", kind="not_signed_in", text=exc.message)
    return _private(html, status)


@bp.route("/viewer/oidc/start", methods=["GET"])
@limiter.limit(lambda: current_app.config["VIEWER_SIGN_IN_RATE_LIMIT"])
def viewer_oidc_start():
    """Send the browser to the provider, with state, nonce and a PKCE challenge. A link, not
    a form: the page's form-action policy would stop a form's redirect to the provider; the
    state cookie, checked at the callback, is what ties the sign-in to this browser."""
    if not oidc.configured():
        abort(404)
    next_path = request.args.get("next", "")
    try:
        with unit_of_work():
            url, state = oidc.start_sign_in(next_path)
    except oidc.SignInFailed as exc:
        current_app.logger.warning("viewer OpenID Connect sign-in: %s", exc.reason)
        return _refused(exc, exc.status)
    response = _private(redirect(url))
    response.set_cookie(
        STATE_COOKIE, state, max_age=oidc.START_MINUTES * 60, path="/viewer/oidc",
        httponly=True, secure=_secure(), samesite="Lax",
    )  # fmt: skip
    return response


@bp.route("/viewer/oidc/callback", methods=["GET"])
def viewer_oidc_callback():
    """The provider sends the browser back: spend the state, trade the code, check the ID
    token, open the session. Every failure is a page that says what to do, never a 500.

    Two transactions, on purpose: the state is spent and committed before the provider is
    asked, so a replay is refused whatever the exchange gives, and no transaction waits on
    the provider."""
    if not oidc.configured():
        abort(404)
    state = request.args.get("state", "")
    kept = request.cookies.get(STATE_COOKIE, "")
    if not state or not kept or not hmac.compare_digest(state.encode(), kept.encode()):
        # Not this browser's sign-in (a forged or replayed callback): spend nothing.
        failure = oidc.SignInFailed(oidc.EXPIRED, reason="state: not this browser's")
        return _forget_state(_refused(failure, 400))
    try:
        with unit_of_work():
            nonce, verifier, next_path = oidc.claim_start(state)
    except oidc.SignInFailed as exc:
        return _forget_state(_refused(exc, exc.status))
    try:
        if request.args.get("error"):
            raise oidc.SignInFailed(
                "The sign-in service did not sign you in. Start again from the sign-in page.",
                status=403,
                reason=f"provider: {request.args.get('error', '')[:80]}",
            )
        claims = oidc.exchange(request.args.get("code"), nonce=nonce, verifier=verifier)
        email, values = oidc.viewer_of(claims)
        with unit_of_work():
            session = oidc.open_session(email, values)
    except oidc.SignInFailed as exc:
        current_app.logger.warning("viewer OpenID Connect sign-in refused: %s", exc.reason)
        with unit_of_work():
            oidc.record_refusal(exc)
        return _forget_state(_refused(exc, exc.status))
    return _forget_state(_signed_in(session, next_path))


def _forget_state(response):
    response.delete_cookie(
        STATE_COOKIE, path="/viewer/oidc", httponly=True, secure=_secure(), samesite="Lax"
    )
    return response


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
        return _signed_in(session, next_path)
    return _private(render_template("public/viewer_link.html", form=form))


@bp.route("/viewer", methods=["GET"])
def viewer_home():
    """Who is signed in, and the audiences they belong to."""
    viewer = read_cookie(request.cookies.get(COOKIE))
    if viewer is None:
        return _private(redirect("/viewer/sign-in"))
    audiences = admitting_audiences(viewer.email, viewer.claims)
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
