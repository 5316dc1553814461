"""The admin console. Every route in it needs a signed-in user."""

from flask import Blueprint, current_app
from flask_login import current_user

from app.extensions import csrf, login_manager

bp = Blueprint("admin", __name__)
# CSRF is checked in require_login, after the login gate: anonymous POSTs go to login, not 400.
csrf.exempt(bp)


@bp.before_request
def require_login():
    # One gate for the whole blueprint, so no admin route can forget it.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


from app.admin import reports, stakeholders, subscribers, views  # noqa: E402, F401 - routes register on import
