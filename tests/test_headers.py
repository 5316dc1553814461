"""Security headers on Flask's pages and on the published artifacts served before Flask."""

import base64
import hashlib
import re

import pytest

from app.extensions import db
from app.publishing.publish import publish_site
from tests.conftest import login
from tests.factories import PASSWORD, create_settings, create_user


def _policy(response) -> dict[str, str]:
    csp = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in csp.split("; ")}


def _check_common(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    policy = _policy(response)
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in str(policy)
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    return policy


@pytest.fixture
def published(ctx):
    create_settings(brand_color="#aa3300")
    publish_site()
    db.session.commit()


def test_the_status_page_has_the_headers_and_its_brand_style_is_allowed(client, published):
    response = client.get("/")  # answered by the published-site middleware
    policy = _check_common(response)
    assert "frame-ancestors" not in policy  # the status page may be embedded
    style = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True)).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy["style-src"] == f"'self' 'sha256-{digest}'"
    assert "#aa3300" in style


@pytest.mark.parametrize("path", ["/login", "/subscribe"])
def test_flask_pages_have_the_headers_and_refuse_framing(client, published, path):
    response = client.get(path)
    assert _check_common(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_console_has_the_headers(client, published):
    create_user(email="lead@example.com")
    login(client, "lead@example.com", PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert _check_common(response)["frame-ancestors"] == "'none'"


def test_feeds_and_json_get_nosniff(client, published):
    for path in ("/history.atom", "/api/v2/status.json"):
        assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_secure_when_the_site_is_https(app_factory):
    assert app_factory(PUBLIC_BASE_URL="https://status.example.com").config["SESSION_COOKIE_SECURE"]
    assert not app_factory().config["SESSION_COOKIE_SECURE"]
    forced = app_factory(PUBLIC_BASE_URL="https://status.example.com", SESSION_COOKIE_SECURE=False)
    assert not forced.config["SESSION_COOKIE_SECURE"]
