"""The comparison for bench/read_path.py: Crier's status page rendered on every request."""

from flask import Response

from app import create_app
from app.publishing.site import render_status_page

app = create_app()


@app.get("/naive")
def naive_status_page():
    """Query and render the same page as / on each request, as a site without publishing would."""
    return Response(render_status_page(), content_type="text/html; charset=utf-8")
