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
