"""Public routes. Each serves stored bytes; none renders a template."""

from flask import redirect, request, url_for

from app.public import bp
from app.publishing.serve import artifact_response


@bp.route("/")
def index():
    return artifact_response("/")


@bp.route("/incidents/<public_id>")
def show_incident(public_id):
    return artifact_response(f"/incidents/{public_id}")


@bp.route("/history", defaults={"page": 1})
@bp.route("/history/<int:page>")
def show_history(page):
    component = request.args.get("component")
    if component:  # the filter form's query string, mapped onto the published paths
        return redirect(url_for("public.show_component_history", slug=component))
    return artifact_response("/history" if page == 1 else f"/history/{page}")


@bp.route("/components/<slug>/history", defaults={"page": 1})
@bp.route("/components/<slug>/history/<int:page>")
def show_component_history(slug, page):
    path = f"/components/{slug}/history"
    return artifact_response(path if page == 1 else f"{path}/{page}")


@bp.route("/history.atom")
def history_atom():
    return artifact_response("/history.atom")


@bp.route("/history.rss")
def history_rss():
    return artifact_response("/history.rss")


@bp.route("/components/<slug>/history.atom")
def component_atom(slug):
    return artifact_response(f"/components/{slug}/history.atom")


@bp.route("/components/<slug>/history.rss")
def component_rss(slug):
    return artifact_response(f"/components/{slug}/history.rss")


@bp.route("/badge.svg")
def badge():
    return artifact_response("/badge.svg")
