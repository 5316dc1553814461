"""A published address refuses other methods with a 405 that says which ones it takes.

RFC 9110 (15.5.6): a 405 carries ``Allow``. Asked through the app as served (the in-memory
fast path in front) and of Flask alone, behind it: the answer is the same.
"""

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from app.publishing.publish import publish_site
from app.publishing.statuspage import API_DOCUMENTS
from tests.factories import create_component, create_incident

READS = {"GET", "HEAD", "OPTIONS"}  # OPTIONS: Flask answers it, with this same Allow
PAGES = ["/", "/history", "/history.atom", "/history.rss", "/badge.svg", "/incidents/{incident}"]
PATHS = [*(f"/api/v2/{name}" for name in API_DOCUMENTS), *PAGES]


def _allowed(response):
    return {method.strip() for method in response.headers.get("Allow", "").split(",") if method}


@pytest.fixture
def incident(ctx):
    api = create_component()
    incident = create_incident(title="Old one", components=[api], updates=[("Done.", "")])
    publish_site()
    return incident.public_id


@pytest.fixture(params=["served", "flask"])
def wsgi(request, app):
    """The app as served (the published-site middleware first), or the Flask app behind it."""
    if request.param == "served":
        return app.test_client()
    return Client(app.wsgi_app.wsgi_app, Response)


@pytest.mark.parametrize("path", PATHS)
def test_a_405_on_a_published_address_says_get_and_head(wsgi, incident, path):
    url = path.format(incident=incident)
    assert wsgi.get(url).status_code == 200, url
    assert _allowed(wsgi.options(url)) == READS
    for method in ("TRACE", "POST", "PUT", "DELETE", "PATCH"):
        response = wsgi.open(url, method=method)
        assert response.status_code == 405, (method, url)
        assert _allowed(response) == READS, (method, url, response.headers.get("Allow"))
