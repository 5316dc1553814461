"""The admin console. Every route in it needs a signed-in user."""

from flask import Blueprint, current_app, request
from flask_login import current_user

from app.extensions import csrf, login_manager

bp = Blueprint("admin", __name__)
# The CSRF check runs below, after the login gate, so a signed-out visitor posting a form is
# sent to sign in rather than told the form expired.
csrf.exempt(bp)


@bp.before_request
def require_login():
    # One gate for the whole blueprint, so no admin route can forget it.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method in current_app.config["WTF_CSRF_METHODS"]:
        csrf.protect()
    return None


from app.admin import reports, stakeholders, subscribers, views  # noqa: E402, F401 - routes register on import
