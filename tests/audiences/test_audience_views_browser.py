"""A signed-in viewer's richer pages in Chromium, on a phone and a desktop: an internal
viewer's incident page with its Internal box, a customer's status page and history; each
passes axe, fits the screen and runs under the content policy."""

import pytest

from app.audiences.sessions import COOKIE, cookie_for
from app.extensions import db
from app.models import ViewerSession
from tests.admin.console_browser import SIZES
from tests.audiences.audience_world import world
from tests.audiences.test_viewer_browser import _check
from tests.public.test_browser import WATCH_CSP

__all__ = ["world"]


def _sign_in(app, page, live_server, email):
    session = ViewerSession(email=email)
    db.session.add(session)
    db.session.commit()
    with app.test_request_context():
        value = cookie_for(session)
    page.context.add_cookies([{"name": COOKIE, "value": value, "url": live_server}])


@pytest.mark.parametrize("viewport", **SIZES)
def test_a_viewers_richer_pages_pass_axe_and_fit_the_screen(
    app, world, live_server, browser_page, viewport
):
    page, problems = browser_page, {}
    page.set_viewport_size(viewport)
    page.add_init_script(WATCH_CSP)

    _sign_in(app, page, live_server, "di@gamma.example")
    page.goto(f"{live_server}/incidents/{world['Gamma']['incident'].public_id}")
    box = page.locator(".update-internal")
    assert box.inner_text().startswith("Internal")
    assert "Gamma_1 internal words" in box.inner_text()
    _check(page, problems)

    page.context.clear_cookies()
    _sign_in(app, page, live_server, "bo@alpha.example")
    page.goto(live_server + "/")
    assert "Affects Public API, Alpha_1 cluster" in page.inner_text("main")
    _check(page, problems)
    page.click("text=Alpha_1 outage")
    assert "Alpha_1 external words" in page.inner_text("main")
    assert page.locator(".update-internal").count() == 0
    _check(page, problems)
    page.goto(live_server + "/history")
    assert "Alpha_1 outage" in page.inner_text("main")
    _check(page, problems)
    assert problems == {}


@pytest.mark.parametrize("viewport", **SIZES)
def test_feed_token_pages_pass_axe_and_fit_the_screen(
    app, world, live_server, browser_page, viewport
):
    from tests.admin.console_browser import sign_in
    from tests.factories import create_user

    page, problems = browser_page, {}
    page.set_viewport_size(viewport)
    page.add_init_script(WATCH_CSP)
    _sign_in(app, page, live_server, "bo@alpha.example")
    page.goto(live_server + "/viewer")
    page.click("text=Feed tokens")
    _check(page, problems)
    page.fill("input[name=label]", "Team feed reader")
    page.click("input[type=submit][value='Make a feed token']")
    address = page.input_value("#new-token-atom")
    assert "/history.atom?token=" in address
    _check(page, problems)
    # The address is on the page's public URL; this server is the same site.
    page.goto(live_server + address[address.index("/history.atom") :])
    assert "Alpha_1 outage" in page.content()

    page.context.clear_cookies()
    create_user(email="ad@crier.example", role="admin")
    sign_in(page, live_server, "ad@crier.example", viewport=viewport)
    page.goto(live_server + "/admin/audiences/feed-tokens")
    assert "bo@alpha.example" in page.inner_text("main")
    _check(page, problems)
    page.click("input[type=submit][value='Revoke']")
    page.wait_for_selector("text=Revoked bo@alpha.example")
    _check(page, problems)
    assert problems == {}
