"""Key authentication for the management API: ``Authorization: OAuth <key>`` (as Statuspage
takes it) or ``Bearer <key>``. Refusals are JSON: 401 without a live key, 403 below scope."""

import functools
import hashlib

from flask import abort, g, request
from werkzeug.exceptions import Forbidden, Unauthorized

from app.core.api_keys import authenticate_key
from app.extensions import remote_address
from app.models import ApiKey, Role

SCHEMES = ("oauth", "bearer")


def presented_key() -> str | None:
    """The key in the Authorization header, or None if there is none in a known scheme."""
    scheme, _, token = (request.headers.get("Authorization") or "").strip().partition(" ")
    if scheme.lower() not in SCHEMES or not token.strip():
        return None
    return token.strip()


def rate_limit_key() -> str:
    """Counters per presented key (its hash, never the key); per client without one."""
    secret = presented_key()
    if secret is None:
        return f"api:anonymous:{remote_address()}"
    return "api:" + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def load_api_key() -> ApiKey:
    """The live key this request carries (kept in ``g.api_key``); a 401 without one or for an
    expired one, a 403 for a suspended one (its owner may no longer hold its scope)."""
    key = authenticate_key(presented_key())
    if key is None:
        raise Unauthorized(
            "A valid API key is required: send the header “Authorization: OAuth <key>”."
        )
    if key.has_expired():
        raise Unauthorized(
            f"This key expired on {key.expires_at:%Y-%m-%d %H:%M} UTC; ask an admin for a new one."
        )
    why = key.suspended_because
    if why is not None:
        raise Forbidden(
            f"This key is suspended: {why}. An admin can give the owner the role back, or "
            "revoke this key and make another."
        )
    g.api_key = key
    return key


def require_scope(scope: Role):
    """Refuse with 403 unless the request's key holds ``scope`` or a stronger one."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = g.get("api_key") or load_api_key()
            if key.scope.rank < Role(scope).rank:
                raise Forbidden(f"This needs a key with the {Role(scope).value} scope.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def acting_user():
    """The user the request's key acts as (what the services record)."""
    key = g.get("api_key")
    if key is None:
        abort(401)
    return key.user
