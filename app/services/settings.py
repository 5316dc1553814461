"""The page's settings row."""

from flask import g

from app.extensions import db
from app.models import Setting


def page_settings() -> Setting:
    """The settings row (cached per request); an unsaved default before the first seed."""
    if "crier_settings" not in g:
        g.crier_settings = db.session.scalar(db.select(Setting).order_by(Setting.id)) or Setting(
            page_name="Status", timezone="UTC", brand_color="#1f6feb"
        )
    return g.crier_settings
