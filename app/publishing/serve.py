"""Serve a published artifact: stored bytes with strong ETag, Last-Modified and 304s."""

import time

from flask import abort, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.wrappers import Request, Response

from app.publishing.cache import Stored, artifact_cache

_READS = ("GET", "HEAD")
_date = (0, "")  # (second, its HTTP date): formatted once a second, not once a request


def _now_date() -> str:
    global _date
    second = int(time.time())
    if _date[0] != second:
        _date = (second, http_date(second))
    return _date[1]


def _response(stored: Stored) -> Response:
    return Response(stored.body, headers=stored.ok)


def artifact_response(path: str) -> Response:
    """The stored artifact at ``path`` as a conditional, cacheable response, or a 404."""
    stored = artifact_cache().get(path)
    if stored is None:
        abort(404)
    return _response(stored).make_conditional(request)


def unmodified(stored: Stored, environ) -> bool:
    """Werkzeug's rule (``is_resource_modified``) for If-None-Match and If-Modified-Since: a
    parsable If-None-Match decides (weak comparison), else If-Modified-Since does."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        if match == stored.quoted_etag:
            return True
        tags = parse_etags(match)
        if tags:
            return tags.contains_weak(stored.etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        moment = parse_date(since)
        return moment is not None and stored.last_modified <= moment
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
            stored = self._stored(environ.get("PATH_INFO") or "/")
            if stored is not None:
                if "HTTP_IF_MATCH" in environ:
                    response = _response(stored).make_conditional(Request(environ))
                    return response(environ, start_response)
                if unmodified(stored, environ):
                    start_response("304 NOT MODIFIED", [*stored.not_modified, _date_header()])
                    return []
                start_response("200 OK", [*stored.ok, _date_header()])
                return [] if method == "HEAD" else [stored.body]
        return self.wsgi_app(environ, start_response)

    def _stored(self, path: str) -> Stored | None:
        cache = artifact_cache(self.flask_app)
        try:
            if cache.due:
                with self.flask_app.app_context():
                    return cache.get(path)
            return cache.lookup(path)
        except SQLAlchemyError:  # a cold page the database cannot give: Flask says 503
            return None


def _date_header() -> tuple[str, str]:
    return ("Date", _now_date())


def install(state):
    """Put the middleware in front of the app the public blueprint is registered on."""
    state.app.wsgi_app = PublishedSite(state.app.wsgi_app, state.app)
