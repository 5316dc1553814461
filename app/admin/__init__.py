"""The admin console. Every route in it needs a signed-in user."""

from flask import Blueprint
from flask_login import current_user

from app.extensions import login_manager

bp = Blueprint("admin", __name__)


@bp.before_request
def require_login():
    # One gate for the whole blueprint, so no admin route can forget it.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


from app.admin import views  # noqa: E402, F401 - routes register on import
