"""/api/v1: the management API, shaped like Statuspage's v1 so its clients work unchanged.

Every route takes an API key (app.auth.api_keys) except the OpenAPI document, and every write
goes through the same domain verbs as the console. Errors are Statuspage's ``{"error": …}``.
"""

import re

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.routing import BaseConverter

from app.auth.api_keys import load_api_key, rate_limit_key
from app.core import ServiceError
from app.extensions import csrf, limiter, remote_address
from app.incidents.checking import TextRefused

PAGE_ID = "crier"  # the page's public id, as the v2 documents give it (page.id)
PUBLIC_ENDPOINTS = {"api.v1.show_openapi"}

bp = Blueprint("v1", __name__)


def _id_beside(*names: str) -> type[BaseConverter]:
    """A path segment that is none of ``names``, the fixed paths beside an object's id: so
    ``DELETE /incidents/upcoming`` is a 405, and OPTIONS on it allows what that path does."""
    words = "|".join(map(re.escape, names))
    return type("IdConverter", (BaseConverter,), {"regex": rf"(?!(?:{words})(?:/|$))[^/]+"})


@bp.record_once
def _register_converters(state) -> None:
    state.app.url_map.converters |= {
        "incident": _id_beside("unresolved", "upcoming", "scheduled", "active_maintenance"),
        "subscriber": _id_beside("unsubscribe"),
    }


csrf.exempt(bp)  # a key in a header, never a cookie: nothing for a forged form to ride on
# One counter per key over every endpoint (a shared scope: not one per endpoint), and one per
# client for the requests whose key was refused (each guessed key would otherwise get a
# counter of its own). Past the second, the client gets 429s whatever key it sends.
limiter.shared_limit(
    lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=rate_limit_key
)(bp)
limiter.shared_limit(
    lambda: current_app.config["API_AUTH_FAILURE_RATE_LIMIT"],
    scope="api-auth-failures",
    key_func=remote_address,
    deduct_when=lambda response: response.status_code == 401,
)(bp)


@bp.url_value_preprocessor
def _check_page(endpoint, values):
    if values is not None and "page_id" in values and values.pop("page_id") != PAGE_ID:
        abort(404, description="There is no page with that id.")


@bp.before_request
def _authenticate():
    if request.endpoint not in PUBLIC_ENDPOINTS:
        load_api_key()


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    body = {"error": exc.message}
    if isinstance(exc, TextRefused):  # what the checks of the texts found, line by line
        body["findings"] = [
            {
                "check": f.code,
                "text": "body" if f.audience == "external" else "internal_body",
                "line": f.line,
                "message": f.message,
                "blocking": f.blocking,
                "key": f.key,  # a warning's: send it in accept_warnings to post anyway
            }
            for f in exc.open
        ]
    return jsonify(body), 422


from app.api.v1 import (  # noqa: E402, F401 - routes register on import
    alertmanager,
    components,
    groups,
    incidents,
    openapi,
    page_access,
    pages,
    subscribers,
)
