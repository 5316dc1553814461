"""The WSGI application for servers (``app.wsgi:app``): importable wherever Crier is
installed, in a checkout or from ``pip install .``; the checkout's ``wsgi.py`` re-exports it."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One clear line, not a traceback: the person fixing it needs only this.
    sys.stderr.write(f"crier: configuration error: {exc}\n")
    sys.exit(3)  # a server halts on a worker that exits with 3 instead of respawning it
