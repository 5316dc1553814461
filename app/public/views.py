"""Public routes. Each serves stored bytes; none renders a template."""

from flask import abort, redirect, request, url_for

from app.public import bp
from app.publishing.serve import artifact_response


@bp.route("/")
def index():
    return artifact_response("/")


@bp.route("/incidents/<public_id>")
def show_incident(public_id):
    return artifact_response(f"/incidents/{public_id}")


@bp.route("/history")
def show_history():
    component = request.args.get("component")
    if component:  # the filter form's query string, mapped onto the published paths
        return redirect(url_for("public.show_component_history", slug=component))
    return artifact_response("/history")


def _month_path(path, year, month):
    if not (1 <= month <= 12 and 1970 <= year <= 9999):
        abort(404)
    return f"{path}/{year}/{month}"


@bp.route("/history/<int:year>/<int:month>")
def show_history_month(year, month):
    return artifact_response(_month_path("/history", year, month))


@bp.route("/history/<int:page>")
def show_history_page(page):
    """History was paginated by number; it is browsed by month now (stable pages)."""
    return redirect(url_for("public.show_history"), code=301)


@bp.route("/components/<slug>/history")
def show_component_history(slug):
    return artifact_response(f"/components/{slug}/history")


@bp.route("/components/<slug>/history/<int:year>/<int:month>")
def show_component_history_month(slug, year, month):
    return artifact_response(_month_path(f"/components/{slug}/history", year, month))


@bp.route("/components/<slug>/history/<int:page>")
def show_component_history_page(slug, page):
    """The numbered pages of before: to the component's history, now browsed by month."""
    return redirect(url_for("public.show_component_history", slug=slug), code=301)


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


@bp.route("/maintenance.ics")
def maintenance_calendar():
    return artifact_response("/maintenance.ics")


@bp.route("/components/<slug>/maintenance.ics")
def component_calendar(slug):
    return artifact_response(f"/components/{slug}/maintenance.ics")


@bp.route("/incidents/<public_id>/calendar.ics")
def window_calendar(public_id):
    return artifact_response(f"/incidents/{public_id}/calendar.ics")
