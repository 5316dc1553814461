"""Which set of audiences a request belongs to, with no database query per read.

``audience_key(environ)`` is the one place that says it: the key of the set the request's
viewer belongs to ("" for the public floor). The published-site layer and the public views
both ask it, so the ways a viewer is recognised are decided here only:

- a signed viewer cookie (``sessions``): the address and the OpenID Connect claim values it
  carries, matched against the audiences' members, domains and claim values;
- the client address (``REMOTE_ADDR``, which ProxyFix sets from X-Forwarded-For only with
  ``TRUSTED_PROXIES``), matched against the audiences' IP ranges, with or without a cookie.

A viewer gets the union of both.
"""

from werkzeug.http import parse_cookie

from app.audiences.membership import current_membership
from app.audiences.sessions import COOKIE, read_cookie


def may_have_audience(environ) -> bool:
    """Cheap test, before any work and with no app context: could this request be a
    viewer's? A viewer cookie is present, or some audience admits the client's address (or
    the ranges are due to be read again)."""
    if f"{COOKIE}=" in environ.get("HTTP_COOKIE", ""):
        return True
    membership = current_membership.peek()
    if membership is None:  # due a read: the caller's audience_key reads it
        return True
    return bool(membership.ranges) and bool(membership.ids_at(environ.get("REMOTE_ADDR")))


def audience_key(environ) -> str:
    """The key of the request's set of audiences, or "" (anonymous from an address no range
    admits, bad cookie, no audience). Needs an app context."""
    membership = current_membership.get()
    viewer = None
    if f"{COOKIE}=" in environ.get("HTTP_COOKIE", ""):
        viewer = read_cookie(parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE))
    address = environ.get("REMOTE_ADDR") if membership.ranges else None
    if viewer is None:
        return membership.key_for(address=address)
    return membership.key_for(viewer.email, viewer.claims, address)
