"""One error handler: JSON under /api, an HTML page elsewhere; never a traceback."""

import contextlib

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    ServiceUnavailable,
)

DATABASE_DOWN = (
    "The database is not reachable, so nothing was posted or changed. Try again shortly."
)


def _wants_json():
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def handle_http_error(exc: HTTPException):
    if isinstance(exc, CSRFError):
        message = "This form has expired or was sent from elsewhere. Reload the page and try again."
    elif isinstance(exc, RequestEntityTooLarge):
        limit = request.max_content_length
        most = f"at most {limit / (1024 * 1024):g} MiB" if limit else "less"
        message = f"The request is too large: this address accepts {most}."
    else:
        message = exc.description
    # The error's own headers (a 405's Allow, a 429's Retry-After) in every shape of answer.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    if request.path.startswith("/api/v1/"):  # the management API: Statuspage's error shape
        return jsonify({"error": message}), exc.code, headers
    if _wants_json():
        body = {"error": {"code": exc.code, "name": exc.name, "message": message}}
        return jsonify(body), exc.code, headers
    return render_template("error.html", error=exc, message=message), exc.code, headers


def handle_unexpected(exc: Exception):
    from flask import current_app

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def handle_database_down(exc: OperationalError):
    """503, not 500: the database is away (restart, failover); the request changed nothing.

    The page is plain HTML: the usual layout reads the page settings from the database.
    """
    from flask import current_app

    from app.extensions import db

    log = current_app.logger
    log.error("database unreachable on %s %s: %s", request.method, request.path, exc.orig)
    with contextlib.suppress(OperationalError):  # the connection is gone; the pool drops it
        db.session.rollback()
    error = ServiceUnavailable(DATABASE_DOWN)
    headers = {"Retry-After": "30"}
    if _wants_json():
        body = {"error": {"code": 503, "name": error.name, "message": DATABASE_DOWN}}
        return jsonify(body), 503, headers
    html = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>503 Service Unavailable'
        f"</title><h1>503 · Service Unavailable</h1><p>{escape(DATABASE_DOWN)}</p>"
        '<p><a href="/">The status page</a> is still up.</p></html>'
    )
    return html, 503, {**headers, "Content-Type": "text/html; charset=utf-8"}


def init_app(app):
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_down)
    if not app.testing:
        # Tests let unexpected errors propagate so they fail loudly with a traceback.
        app.register_error_handler(Exception, handle_unexpected)
