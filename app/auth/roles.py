"""Role checks for admin views: viewers read, leads post, admins manage."""

import functools

from flask import abort
from flask_login import current_user

from app.models import Role


def require_role(role: Role):
    """Refuse with 403 unless the signed-in user holds ``role`` or a stronger one."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.can(role):
                abort(403, description=f"This needs the {role} role.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
