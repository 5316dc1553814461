"""Serve a published artifact: stored bytes with strong ETag, Last-Modified and 304s.

Each artifact is served in the stored encoding the request's Accept-Encoding prefers
(identity, gzip or br), each with its own strong ETag (``etag``, ``etag-gz``, ``etag-br``), so
a 304 answers for the very bytes the client holds; ``Vary: Accept-Encoding`` tells caches.
A request that refuses identity and every stored coding gets a 406.
"""

import time

from flask import abort, after_this_request, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.wrappers import Request, Response

from app.audiences.requests import audience_key, may_have_audience
from app.audiences.sessions import COOKIE, revoked
from app.audiences.tokens import token_audience_key
from app.publishing.audience_cache import audience_artifacts
from app.publishing.cache import Stored, Variant, artifact_cache
from app.publishing.encodings import CODINGS

_READS = ("GET", "HEAD")
_date = (0, "")  # (second, its HTTP date): formatted once a second, not once a request


def _now_date() -> str:
    global _date
    second = int(time.time())
    if _date[0] != second:
        _date = (second, http_date(second))
    return _date[1]


NOT_ACCEPTABLE = (
    "The request's Accept-Encoding refuses every encoding this address is stored in (identity, "
    "and " + " or ".join(CODINGS) + " for larger text): allow identity, or gzip."
)


def _response(variant: Variant) -> Response:
    return Response(variant.body, headers=variant.ok)


def _vary(response: Response) -> Response:
    response.vary.add("Accept-Encoding")
    return response


def viewer_artifact(environ, path: str) -> Stored | None:
    """The artifact at ``path`` as the request's set of audiences has it, or None (anonymous,
    no valid viewer cookie, or the set's view of ``path`` is the public one)."""
    if not may_have_audience(environ):
        return None
    return audience_artifacts.get(audience_key(environ), path)


def takes_token(path: str) -> bool:
    """Whether a feed token opens ``path``: the feeds and the JSON documents, nothing else."""
    return path.endswith((".atom", ".rss")) or path.startswith("/api/v2/")


def artifact_response(path: str) -> Response:
    """The stored artifact at ``path`` (the viewer's set's, else the public one) as a
    conditional response in the encoding the request prefers; a 404, or a 406 when it
    accepts none of the stored encodings. A feed or JSON address with ``?token=`` is the
    token's viewer's set's; a token that opens nothing gives the public bytes."""
    stored = None
    token = request.args.get("token")
    if token is not None and takes_token(path):
        key = token_audience_key(token, request.cookies.get(COOKIE))
        stored = audience_artifacts.get(key, path)
    else:
        stored = viewer_artifact(request.environ, path)
    stored = stored or artifact_cache().get(path)
    if stored is None:
        abort(404)
    variant = stored.variant(request.headers.get("Accept-Encoding"))
    if variant is None:
        after_this_request(_vary)  # the error page the app's handler renders, too
        raise NotAcceptable(NOT_ACCEPTABLE)
    return _response(variant).make_conditional(request)


def unmodified(variant: Variant, last_modified, environ) -> bool:
    """Werkzeug's rule (``is_resource_modified``) for If-None-Match and If-Modified-Since: a
    parsable If-None-Match decides (weak comparison), else If-Modified-Since does."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        if match == variant.quoted_etag:
            return True
        tags = parse_etags(match)
        if tags:
            return tags.contains_weak(variant.etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        moment = parse_date(since)
        return moment is not None and last_modified <= moment
    return False


class PublishedSite:
    """WSGI middleware: a plain GET of a published path is answered from memory, before Flask.

    The read path then costs a dictionary lookup, a string comparison for If-None-Match and a
    ``start_response`` with headers built when the artifact was stored: no session, no cookies
    (so no ``Vary: Cookie`` to split CDN caches), no template, no response object. The headers
    are exactly werkzeug's ``make_conditional`` ones (tests compare). If-Match (412) takes
    werkzeug's own path; everything else (query strings, unknown paths, other methods) goes
    on to Flask, whose views serve the same artifacts.
    """

    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method in _READS and not environ.get("QUERY_STRING"):
            path = environ.get("PATH_INFO") or "/"
            stored = None
            if may_have_audience(environ):
                stored = self._viewer_stored(environ, path)  # None: the public bytes are theirs
            stored = stored or self._stored(path)
            variant = stored and stored.variant(environ.get("HTTP_ACCEPT_ENCODING"))
            if variant is not None:  # else Flask says 404 or 406
                if "HTTP_IF_MATCH" in environ:
                    response = _response(variant).make_conditional(Request(environ))
                    return response(environ, start_response)
                if unmodified(variant, stored.last_modified, environ):
                    start_response("304 NOT MODIFIED", [*variant.not_modified, _date_header()])
                    return []
                start_response("200 OK", [*variant.ok, _date_header()])
                return [] if method == "HEAD" else [variant.body]
        return self.wsgi_app(environ, start_response)

    def _viewer_stored(self, environ, path: str) -> Stored | None:
        """A signed-in viewer's set's artifact at ``path`` from memory, or None; private, and
        never another set's (the set comes from the viewer's signed cookie)."""
        interval = float(self.flask_app.config["PUBLISH_CHECK_SECONDS"])
        key = _keys.get(environ, interval)
        if key is not None and not audience_artifacts.due(interval):
            return audience_artifacts.lookup(key, path)  # no app context, no cookie check
        try:
            with self.flask_app.app_context():
                key = audience_key(environ)
                _keys.put(environ, key, interval)
                return audience_artifacts.get(key, path)
        except SQLAlchemyError:
            return None

    def _stored(self, path: str) -> Stored | None:
        cache = artifact_cache(self.flask_app)
        try:
            if cache.due:
                with self.flask_app.app_context():
                    return cache.get(path)
            return cache.lookup(path)
        except SQLAlchemyError:  # a cold page the database cannot give: Flask says 503
            return None


class _Keys:
    """Cookie header and client address → their set's key, kept at most one
    ``PUBLISH_CHECK_SECONDS``: membership and revocations are read once per interval anyway,
    so a viewer's reads within it check the cookie once. The address is part of the key (an
    audience's IP ranges admit by it: a cookie-less answer for one address is never another
    address's). A revocation this process makes (signing out) drops the kept answers."""

    LIMIT = 10_000  # distinct cookie headers kept; past it, start over

    def __init__(self):
        self._found: dict[tuple[str, str], tuple[str, float, frozenset]] = {}

    def get(self, environ, interval: float) -> str | None:
        hit = self._found.get(_who(environ))
        if hit is None or hit[1] <= time.monotonic() or hit[2] is not revoked.known():
            return None
        return hit[0]

    def put(self, environ, key: str, interval: float) -> None:
        if len(self._found) >= self.LIMIT:
            self._found.clear()
        until = time.monotonic() + interval
        self._found[_who(environ)] = (key, until, revoked.known())


def _who(environ) -> tuple[str, str]:
    return environ.get("HTTP_COOKIE", ""), environ.get("REMOTE_ADDR", "")


_keys = _Keys()


def _date_header() -> tuple[str, str]:
    return ("Date", _now_date())


def install(state):
    """Put the middleware in front of the app the public blueprint is registered on."""
    state.app.wsgi_app = PublishedSite(state.app.wsgi_app, state.app)
