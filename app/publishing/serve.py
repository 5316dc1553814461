"""Serve a published artifact: stored bytes with strong ETag, Last-Modified and 304s."""

from flask import abort, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Request, Response

from app.publishing.cache import Stored, artifact_cache

API_PREFIX = "/api/v2/"


def _response(stored: Stored, config, path: str) -> Response:
    response = Response(stored.body, content_type=stored.content_type)
    response.set_etag(stored.etag)
    response.last_modified = stored.modified_at
    response.headers["Cache-Control"] = (
        f"public, max-age={config.get('PUBLIC_MAX_AGE', 10)}, "
        f"stale-while-revalidate={config.get('PUBLIC_STALE_WHILE_REVALIDATE', 60)}"
    )
    if path.startswith(API_PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.update(stored.headers)
    return response


def artifact_response(path: str) -> Response:
    """The stored artifact at ``path`` as a conditional, cacheable response, or a 404."""
    stored = artifact_cache().get(path)
    if stored is None:
        abort(404)
    return _response(stored, current_app.config, path).make_conditional(request)


class PublishedSite:
    """WSGI middleware: a plain GET of a published path is answered from memory, before Flask.

    The read path then costs a dictionary lookup and a conditional check, with no session,
    no cookies (so no ``Vary: Cookie`` to split CDN caches) and no template. Everything else
    (query strings, unknown paths, other methods) goes on to Flask, whose views serve the same
    artifacts.
    """

    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not environ.get("QUERY_STRING"):
            path = environ.get("PATH_INFO") or "/"
            cache = artifact_cache(self.flask_app)
            try:
                if cache.due:
                    with self.flask_app.app_context():
                        stored = cache.get(path)
                else:
                    stored = cache.lookup(path)
            except SQLAlchemyError:  # a cold page the database cannot give: Flask says 503
                stored = None
            if stored is not None:
                response = _response(stored, self.flask_app.config, path)
                return response.make_conditional(Request(environ))(environ, start_response)
        return self.wsgi_app(environ, start_response)


def install(state):
    """Put the middleware in front of the app the public blueprint is registered on."""
    state.app.wsgi_app = PublishedSite(state.app.wsgi_app, state.app)
