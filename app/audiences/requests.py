"""Which set of audiences a request belongs to, with no database query per read.

``audience_key(environ)`` is the one place that says it: the key of the set the request's
viewer belongs to ("" for the public floor). The published-site layer and the public views
both ask it, so the way a viewer is recognised (a signed cookie today) is decided here only.
"""

from werkzeug.http import parse_cookie

from app.audiences.membership import current_membership
from app.audiences.sessions import COOKIE, read_cookie


def may_have_audience(environ) -> bool:
    """Cheap test, before any work: could this request be a viewer's? (A cookie is present.)"""
    return f"{COOKIE}=" in environ.get("HTTP_COOKIE", "")


def audience_key(environ) -> str:
    """The key of the request's set of audiences, or "" (anonymous, bad cookie, no audience).
    Needs an app context."""
    if not may_have_audience(environ):
        return ""
    viewer = read_cookie(parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE))
    if viewer is None:
        return ""
    return current_membership.get().key_for(viewer.email)
