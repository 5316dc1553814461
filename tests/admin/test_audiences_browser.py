"""Audiences in a real browser, on a phone and a desktop: a bad IP range is shown where it
was typed, the fixed form saves, and every page passes axe and fits the screen."""

import pytest

from app.extensions import db
from app.models import PageAudience
from tests.admin.console_browser import SIZES, axe_violations, sideways_overflow, sign_in
from tests.admin.test_console_accessibility import UNLABELLED_CELLS
from tests.factories import create_component, create_user


def _check(page, problems):
    found = axe_violations(page)
    if found:
        problems[page.url] = found
    overflow = sideways_overflow(page)
    if overflow > 0:
        problems.setdefault(page.url, []).append(f"scrolls sideways by {overflow}px")
    unlabelled = page.evaluate(UNLABELLED_CELLS)
    if unlabelled:
        problems.setdefault(page.url, []).append(f"cells without a label: {unlabelled}")
    if page.evaluate("window.__csp"):
        problems.setdefault(page.url, []).append(page.evaluate("window.__csp"))


@pytest.mark.parametrize("viewport", **SIZES)
def test_an_admin_manages_an_audience_in_a_browser(ctx, live_server, browser_page, viewport):
    create_user(email="admin@example.com", name="Ada Admin", role="admin")
    create_component(slug="api", name="Public API", group="Core")
    create_component(slug="dedicated", name="Dedicated cluster", group="Core", is_public=False)
    page, problems = browser_page, {}
    sign_in(page, live_server, "admin@example.com", viewport=viewport)

    page.goto(live_server + "/admin/audiences")
    _check(page, problems)
    page.click("text=New audience")
    _check(page, problems)
    page.fill("input[name=name]", "Enterprise EU")
    page.check("label:has-text('Dedicated cluster') >> input")
    page.fill("textarea[name=domains]", "example.com")
    page.fill("textarea[name=networks]", "192.0.2.1/24")
    page.click("input[type=submit][value=Save]")
    error = page.locator("#networks-error")
    assert "did you mean 192.0.2.0/24" in error.inner_text()
    assert page.get_attribute("textarea[name=networks]", "aria-invalid") == "true"
    _check(page, problems)
    page.fill("textarea[name=networks]", "192.0.2.0/24")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector("text=Saved the audience Enterprise EU.")
    assert "Dedicated cluster" in page.inner_text("main")
    _check(page, problems)

    page.click("main a:has-text('Enterprise EU')")
    assert page.is_checked("label:has-text('Dedicated cluster') >> input")
    _check(page, problems)
    page.goto(page.url + "/delete")
    _check(page, problems)
    page.click("input[type=submit][value='Delete audience']")
    page.wait_for_selector("text=Deleted the audience Enterprise EU.")
    assert problems == {}
    db.session.expire_all()
    assert db.session.scalar(db.select(PageAudience)) is None
