"""Webhooks from providers: signed, no session, no CSRF."""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("webhooks", __name__)
csrf.exempt(bp)  # providers sign their requests; there is no form and no cookie

from app.webhooks import views  # noqa: E402, F401 - routes register on import
