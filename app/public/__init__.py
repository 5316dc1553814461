"""The public status page."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import subscriptions, views  # noqa: E402, F401 - routes register on import
