"""One error handler: JSON under /api, an HTML page elsewhere; never a traceback."""

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge


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
    if _wants_json():
        body = {"error": {"code": exc.code, "name": exc.name, "message": message}}
        return jsonify(body), exc.code
    return render_template("error.html", error=exc, message=message), exc.code


def handle_unexpected(exc: Exception):
    from flask import current_app

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app):
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        # Tests let unexpected errors propagate so they fail loudly with a traceback.
        app.register_error_handler(Exception, handle_unexpected)
