"""The Statuspage-compatible read API (v2), served as published JSON."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import views  # noqa: E402, F401 - routes register on import
