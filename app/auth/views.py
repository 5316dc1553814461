import hashlib
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm, LogoutForm
from app.core.uow import unit_of_work
from app.core.users import authenticate, sign_out
from app.extensions import limiter, remote_address

BAD_LOGIN = "Wrong email or password."


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login page can't bounce people elsewhere.

    No control characters (a CR/LF would break the Location header) and no backslash
    (browsers read ``/\\evil.example`` as ``//evil.example``).
    """
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("admin.dashboard")
    if target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("admin.dashboard")


def _account_key() -> str:
    """Rate-limit key for wrong passwords: this account from this client. Keyed on the IP
    alone, everyone behind one proxy or office NAT would lock each other out."""
    email = (request.form.get("email") or "").strip().lower()
    return f"login:{remote_address()}:{hashlib.sha256(email.encode()).hexdigest()}"


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_IP_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(BAD_LOGIN, "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            with unit_of_work():
                sign_out(current_user._get_current_object())
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
