"""A signed-in viewer subscribes from their page and stops again, in Chromium on a phone and a
desktop; the page passes axe, fits the screen and runs under the content policy each time."""

import re

import pytest

from app.extensions import db
from app.models import AdmissionKind, AudienceAdmission, PageAudience, Subscriber
from tests.admin.console_browser import SIZES
from tests.audiences.test_viewer_browser import _check
from tests.public.test_browser import WATCH_CSP


@pytest.mark.parametrize("viewport", **SIZES)
def test_a_viewer_subscribes_from_their_page_and_stops(
    ctx, live_server, browser_page, outbox, viewport
):
    admission = AudienceAdmission(kind=AdmissionKind.domain, value="corp.example")
    db.session.add(PageAudience(name="Enterprise EU", admissions=[admission]))
    db.session.commit()
    page, problems = browser_page, {}
    page.set_viewport_size(viewport)
    page.add_init_script(WATCH_CSP)
    page.goto(live_server + "/viewer/sign-in?next=/viewer")
    page.fill("input[name=email]", "bo@corp.example")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    token = re.search(r"/viewer/link/(\S+)", outbox[0].get_body(("plain",)).get_content())
    page.goto(f"{live_server}/viewer/link/{token.group(1)}")
    page.click("input[type=submit][value='Sign me in']")
    page.wait_for_url(live_server + "/viewer")

    _check(page, problems)
    page.click("input[type=submit][value='Email me updates']")
    page.wait_for_selector("input[type=submit][value='Stop email updates']")
    assert "Updates go to bo@corp.example" in page.inner_text("main")
    _check(page, problems)
    db.session.expire_all()
    assert db.session.scalar(db.select(Subscriber.email).where(Subscriber.viewer_at.is_not(None)))
    page.click("input[type=submit][value='Stop email updates']")
    page.wait_for_selector("input[type=submit][value='Email me updates']")
    assert len(outbox) == 1  # no confirmation email: signing in proved the address
    assert problems == {}
