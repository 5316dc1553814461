"""WSGI entry point for `flask --app wsgi` and servers started in the checkout."""

from app.wsgi import app

__all__ = ["app"]
