"""A viewer signs in from the emailed link in Chromium, on a phone and a desktop; every
page of the way passes axe, fits the screen and runs under the content policy."""

import re

import pytest

from app.extensions import db
from app.models import AdmissionKind, AudienceAdmission, PageAudience
from tests.admin.console_browser import SIZES, axe_violations, sideways_overflow
from tests.public.test_browser import WATCH_CSP


def _check(page, problems):
    found = axe_violations(page)
    if found:
        problems[page.url] = found
    overflow = sideways_overflow(page)
    if overflow > 0:
        problems.setdefault(page.url, []).append(f"scrolls sideways by {overflow}px")
    if page.evaluate("window.__csp"):
        problems.setdefault(page.url, []).append(page.evaluate("window.__csp"))


@pytest.mark.parametrize("viewport", **SIZES)
def test_a_viewer_signs_in_from_the_email_and_out_again(
    ctx, live_server, browser_page, outbox, viewport
):
    admission = AudienceAdmission(kind=AdmissionKind.domain, value="corp.example")
    db.session.add(PageAudience(name="Enterprise EU", admissions=[admission]))
    db.session.commit()
    page, problems = browser_page, {}
    page.set_viewport_size(viewport)
    page.add_init_script(WATCH_CSP)

    page.goto(live_server + "/viewer/sign-in?next=/history")
    _check(page, problems)
    page.fill("input[name=email]", "bo@corp.example")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    _check(page, problems)

    (message,) = outbox
    text = message.get_body(("plain",)).get_content()
    token = re.search(r"/viewer/link/(\S+)", text).group(1)
    page.goto(f"{live_server}/viewer/link/{token}")
    _check(page, problems)
    page.click("input[type=submit][value='Sign me in']")
    page.wait_for_url(live_server + "/history")

    page.goto(live_server + "/viewer")
    assert "Signed in as bo@corp.example" in page.inner_text("main")
    assert "Enterprise EU" in page.inner_text("main")
    _check(page, problems)
    page.click("input[type=submit][value='Sign out']")
    page.wait_for_selector("text=You are signed out")
    _check(page, problems)
    page.goto(live_server + "/viewer")
    assert page.url == live_server + "/viewer/sign-in"
    assert problems == {}


@pytest.mark.parametrize("viewport", **SIZES)
def test_a_viewer_signs_in_by_openid_connect_and_an_admin_revokes_them(
    ctx, app, live_server, browser_page, viewport
):
    from app.audiences import oidc
    from app.audiences.membership import current_membership
    from app.audiences.sessions import revoked
    from app.publishing.audience_cache import audience_artifacts as homes
    from app.publishing.publish import publish_site
    from tests.admin.console_browser import sign_in
    from tests.factories import create_component, create_incident, create_user
    from tests.oidc_provider import OidcProvider

    callback = live_server + "/viewer/oidc/callback"
    client = {"client_id": "crier", "client_secret": "s" * 40, "redirect_uris": [callback]}
    account = {"email": "ana@sso-corp.example", "email_verified": True, "groups": ["crier-eu"]}
    with OidcProvider(clients=[client], accounts={"ana": account}, claims=["groups"]) as idp:
        app.config.update(
            PUBLIC_BASE_URL=live_server,
            VIEWER_OIDC_DISCOVERY_URL=idp.discovery_url,
            VIEWER_OIDC_CLIENT_ID="crier",
            VIEWER_OIDC_CLIENT_SECRET="s" * 40,
            VIEWER_OIDC_NAME="Corp SSO",
        )
        hidden = create_component(slug="eu", name="EU_1 cluster", is_public=False)
        create_incident(title="EU_1 outage", components=[hidden], updates=[("EU_1 words.", "")])
        claim = AudienceAdmission(kind=AdmissionKind.claim, value="crier-eu")
        db.session.add(PageAudience(name="Enterprise EU", components=[hidden], admissions=[claim]))
        db.session.commit()
        publish_site()
        for cache in (current_membership, homes, revoked, oidc.provider):
            cache.forget()
        page, problems = browser_page, {}
        page.set_viewport_size(viewport)
        page.add_init_script(WATCH_CSP)

        page.goto(live_server + "/viewer/sign-in")
        _check(page, problems)
        page.click("a:has-text('Sign in with Corp SSO')")
        page.fill("input[name=login]", "ana")  # the provider's own pages from here
        page.fill("input[name=password]", "any")
        page.click("button[type=submit]")
        page.click("button[type=submit]")  # consent
        page.wait_for_url(live_server + "/")
        assert "EU_1 outage" in page.inner_text("main")
        page.goto(live_server + "/viewer")
        assert "Signed in as ana@sso-corp.example" in page.inner_text("main")
        assert "Enterprise EU" in page.inner_text("main")
        _check(page, problems)

        create_user(email="admin@example.com", name="Ada Admin", role="admin")
        sign_in(page, live_server, "admin@example.com", viewport=viewport)
        page.goto(live_server + "/admin/audiences")
        page.click("text=Signed-in viewers")
        row = page.locator("tr", has_text="ana@sso-corp.example")
        assert "OpenID Connect" in row.inner_text() and "crier-eu" in row.inner_text()
        _check(page, problems)
        row.locator("button", has_text="Revoke").click()
        page.wait_for_selector("text=Revoked the session of ana@sso-corp.example")
        _check(page, problems)
        page.goto(live_server + "/")
        assert "EU_1" not in page.inner_text("main")
        assert problems == {}
