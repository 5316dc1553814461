"""Crier behind a path (https://example.com/status/): every link and redirect keeps it."""

import re

import pytest

from app.email import get_backend
from app.extensions import db
from app.fanout.subscribers import personal_token
from app.publishing.publish import publish_site
from tests.conftest import csrf_token, login
from tests.factories import (
    PASSWORD,
    create_component,
    create_incident,
    create_subscriber,
    create_user,
)

BASE = "https://example.com/status"


def local_links(html: str) -> list[str]:
    """Every href/src/action that leads into this site (absolute paths)."""
    return [u for u in re.findall(r'(?:href|src|action)="([^"]+)"', html) if u.startswith("/")]


@pytest.fixture
def prefixed(app, app_factory):
    """``app`` only for its teardown."""
    site = app_factory(PUBLIC_BASE_URL=BASE, TRUSTED_PROXIES=1)
    with site.app_context():
        api = create_component(slug="api", name="API")
        create_incident(title="Slow API", components=[api])
        publish_site()
        db.session.commit()
    return site


@pytest.mark.parametrize("path", ["/", "/status/", "/status/history"])
def test_published_pages_link_under_the_prefix_whether_or_not_the_proxy_strips_it(prefixed, path):
    client = prefixed.test_client()
    page = client.get(path, base_url="https://example.com")
    assert page.status_code == 200, path
    links = local_links(page.get_data(as_text=True))
    assert links and all(u.startswith("/status/") for u in links), links


def test_console_redirects_keep_the_prefix(prefixed):
    client = prefixed.test_client()
    gone = client.get("/status/admin/", base_url="https://example.com")
    assert gone.status_code == 302
    assert gone.headers["Location"].startswith("/status/login"), gone.headers["Location"]


def test_x_forwarded_prefix_from_a_trusted_proxy_is_honoured(app, app_factory):
    site = app_factory(TRUSTED_PROXIES=1)
    headers = {"X-Forwarded-Prefix": "/status", "X-Forwarded-Proto": "https"}
    gone = site.test_client().get("/admin/", headers=headers)
    assert gone.headers["Location"].startswith("/status/login"), gone.headers["Location"]
    untrusted = app_factory(TRUSTED_PROXIES=0).test_client().get("/admin/", headers=headers)
    assert untrusted.headers["Location"].startswith("/login")


def test_emails_and_feeds_carry_the_prefix(prefixed):
    with prefixed.app_context():
        token = personal_token(create_subscriber(email="m@example.com"))
    client = prefixed.test_client()
    form = "/status/subscribe"
    data = {"email": "new@example.com", "csrf_token": csrf_token(client, form)}
    assert client.post(form, data=data).status_code == 200
    with prefixed.app_context():
        (message,) = get_backend().outbox
    text = message.get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    assert links and all(u.startswith(BASE + "/") for u in links), links
    assert client.get(f"/status/manage/{token}", base_url="https://example.com").status_code == 200
    feed = client.get("/status/history.atom", base_url="https://example.com")
    links = re.findall(r'href="([^"]+)"', feed.get_data(as_text=True))
    assert links and all(u.startswith(BASE + "/") or u == BASE for u in links), links


@pytest.mark.parametrize(("proto", "secure"), [("https", True), ("http", False)])
def test_session_cookies_follow_the_scheme_a_trusted_proxy_reports(app, app_factory, proto, secure):
    site = app_factory(TRUSTED_PROXIES=1)  # PUBLIC_BASE_URL is http: the proxy says otherwise
    with site.app_context():
        create_user(email="lead@example.com")
    client = site.test_client()
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = proto
    response = login(client, "lead@example.com", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure, cookie
