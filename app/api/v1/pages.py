"""The page: Crier serves one, whose id is ``crier``."""

from flask import jsonify

from app.api.v1 import bp
from app.api.v1.shapes import page_shape
from app.auth.api_keys import require_scope
from app.models import Role


@bp.get("/pages/<page_id>")
@require_scope(Role.lead)
def show_page():
    """The page's settings, in Statuspage's page object."""
    return jsonify(page_shape())
