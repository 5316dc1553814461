"""Preview as an audience, or as a member: the site exactly as they see it, rendered now by
the publisher's own code, with a banner saying whose view it is (leads and admins)."""

import re

from flask import Response, abort, render_template, request, url_for

from app.admin import bp
from app.audiences.readers import get_audience
from app.auth.roles import require_role
from app.core.text import clean_line
from app.models import Role
from app.publishing.audience_pages import audiences_of_member, render_preview, viewer_of_audiences
from app.publishing.cache import artifact_cache

# A path of the published site: letters, digits and a few marks, no "//", bounded.
_PATH = re.compile(r"/(?:[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*)?")
MAX_PATH = 200
MAX_EMAIL = 254


def _path() -> str:
    path = request.args.get("path", "/")
    if len(path) > MAX_PATH or not _PATH.fullmatch(path):
        abort(404)
    return path


def _preview(audiences, who: str, path: str, links: dict) -> Response:
    viewer = viewer_of_audiences(audiences)
    artifact = render_preview(viewer, path)
    if artifact is not None:
        body, content_type = artifact.body, artifact.content_type
    else:  # their view of this address is the public one
        stored = artifact_cache().get(path)
        if stored is None:
            abort(404)
        variant = stored.identity
        body = variant.body
        content_type = dict(variant.ok).get("Content-Type", "application/octet-stream")
    if content_type.startswith("text/html"):
        banner = render_template(
            "admin/_preview_banner.html",
            who=who,
            path=path,
            links=links,
            names=[a.name for a in audiences],
        ).encode()
        body = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + banner, body, count=1)
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _links(endpoint, **values) -> dict:
    return {
        label: url_for(endpoint, path=path, **values)
        for label, path in (("Status page", "/"), ("History", "/history"))
    }


@bp.route("/audiences/<public_id>/preview")
@require_role(Role.lead)
def preview_audience(public_id):
    """The site as a viewer of this audience alone sees it (``?path=``, default ``/``)."""
    audience = get_audience(public_id)
    if audience is None:
        abort(404)
    links = _links("admin.preview_audience", public_id=audience.public_id)
    return _preview([audience], f"a viewer of {audience.name}", _path(), links)


@bp.route("/audiences/preview")
@require_role(Role.lead)
def preview_member():
    """The site as the holder of an address sees it once signed in by an emailed link."""
    email = clean_line(request.args.get("email", ""))[: MAX_EMAIL + 1].strip().lower()
    if not email or len(email) > MAX_EMAIL or email.count("@") != 1:
        return render_template("admin/preview_member.html", email=email[:MAX_EMAIL]), 422
    links = _links("admin.preview_member", email=email)
    audiences = audiences_of_member(email)
    return _preview(audiences, email, _path(), links)
