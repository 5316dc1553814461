"""/api/v1/openapi.json: the management API described for clients and for schemathesis."""

from flask import jsonify

from app.api.v1 import bp
from app.api.v1.schema import openapi_document


@bp.get("/openapi.json")
def show_openapi():
    """The OpenAPI 3.1 document (public: no key needed to read it)."""
    return jsonify(openapi_document())
