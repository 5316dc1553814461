"""The Statuspage-compatible APIs: the public read documents (v2, published JSON) and the
management API (v1, with API keys)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import views  # noqa: E402, F401 - routes register on import
from app.api.v1 import bp as v1_bp  # noqa: E402

bp.register_blueprint(v1_bp, url_prefix="/v1")
