"""Static assets under content-hashed URLs (``/static/crier.css?v=<hash>``), cached for a year.

A page names each asset with a hash of its bytes, so a changed file has a new URL and a
cached copy never goes stale: browsers, nginx's cache and CDNs keep it ``immutable``. The
published pages carry the same URLs, so a cache in front keeps the CSS of the pages it keeps.
A request without the current hash (an old page, a hand-typed URL) is still answered, cached
briefly.
"""

import hashlib
from pathlib import Path

from flask import request

YEAR = 365 * 24 * 3600
UNVERSIONED_MAX_AGE = 300


def asset_hash(app, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None if there is no such file."""
    hashes = app.extensions.setdefault("crier_asset_hashes", {})
    if filename not in hashes:
        path = Path(app.static_folder) / filename
        try:
            hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            return None
    return hashes[filename]


def init_app(app) -> None:
    @app.url_defaults
    def _versioned_static(endpoint, values):
        if endpoint == "static" and "v" not in values and values.get("filename"):
            digest = asset_hash(app, values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def _static_caching(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        current = asset_hash(app, (request.view_args or {}).get("filename", ""))
        response.cache_control.public = True
        response.cache_control.no_cache = None
        if current and request.args.get("v") == current:
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        else:
            response.cache_control.max_age = UNVERSIONED_MAX_AGE
        return response
