"""Serve a published artifact: stored bytes with strong ETag, Last-Modified and 304s."""

from flask import abort, current_app, request
from werkzeug.wrappers import Response

from app.services.publishing import artifact_cache


def artifact_response(path: str) -> Response:
    """The stored artifact at ``path`` as a conditional, cacheable response, or a 404."""
    stored = artifact_cache().get(path)
    if stored is None:
        abort(404)
    response = Response(stored.body, content_type=stored.content_type)
    response.set_etag(stored.etag)
    response.last_modified = stored.modified_at
    cfg = current_app.config
    response.headers["Cache-Control"] = (
        f"public, max-age={cfg.get('PUBLIC_MAX_AGE', 10)}, "
        f"stale-while-revalidate={cfg.get('PUBLIC_STALE_WHILE_REVALIDATE', 60)}"
    )
    return response.make_conditional(request)
