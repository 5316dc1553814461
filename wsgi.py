"""WSGI entry point for gunicorn and `flask --app wsgi`."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One clear line, not a traceback: the person fixing it needs only this.
    sys.stderr.write(f"crier: configuration error: {exc}\n")
    sys.exit(2)
