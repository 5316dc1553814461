"""/api/v2/*.json: stored documents, readable from any origin (browser widgets)."""

from flask import request

from app.api import bp
from app.publishing.serve import artifact_response


@bp.after_request
def allow_any_origin(response):
    """The v2 read documents only: the management API (v1, nested here) takes keys and
    answers no browser of another origin."""
    if request.endpoint == "api.show_document":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


@bp.route("/v2/<path:name>")
def show_document(name):
    return artifact_response(f"/api/v2/{name}")
