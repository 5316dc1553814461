"""axe-core in Debian's Chromium: no violations on any public page, on a phone or a desktop."""

import re

import pytest

from app.core.uow import unit_of_work
from app.demo import seed_demo
from app.extensions import db
from app.models import Incident
from app.publishing.publish import publish_site

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_urls(ctx):
    with unit_of_work():
        seed_demo(past_incidents=12)
    publish_site()
    incident = db.session.scalar(db.select(Incident).where(Incident.state == "identified"))
    window = db.session.scalar(db.select(Incident).where(Incident.kind == "maintenance"))
    pages = [f"/incidents/{incident.public_id}", f"/incidents/{window.public_id}"]
    return ["/", *pages, "/history", "/components/api/history"]


def violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_have_no_axe_violations(live_server, browser_page, demo_urls, viewport):
    browser_page.set_viewport_size(viewport)
    for url in demo_urls:
        browser_page.goto(live_server + url)
        assert violations(browser_page) == [], url
        overflow = browser_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways at {viewport['width']}px"


def test_local_time_script_rewrites_times_and_keeps_the_page_time_as_title(
    live_server, browser_page, demo_urls
):
    browser_page.goto(live_server + demo_urls[1])
    first = browser_page.locator("time[datetime]").first
    assert first.get_attribute("title").endswith(("CET", "CEST"))


def test_without_javascript_times_show_in_the_page_timezone_named(
    live_server, browser_page, demo_urls
):
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + demo_urls[1])
        text = page.locator("time[datetime]").first.inner_text()
        assert text.endswith(("CET", "CEST")) and page.locator("time[title]").count() == 0
        assert page.locator("h1").inner_text() == "Elevated API error rates"
    finally:
        context.close()


def test_a_components_uptime_bars_read_as_one_sentence_with_days_on_keyboard_focus(
    live_server, browser_page, demo_urls
):
    browser_page.goto(live_server + "/")
    bars = browser_page.locator(".uptime[role=img]").first
    name = bars.evaluate("el => el.getAttribute('aria-label')")
    snapshot = bars.aria_snapshot()  # what assistive technology gets: the name, no days
    assert snapshot.count("\n") == 0 and name in snapshot
    assert re.fullmatch(r"API: \d+\.\d\d % uptime over 90 days; [^.]+\.", name)
    assert bars.locator("i").count() == 90
    bars.focus()  # reachable by keyboard: today's details, then earlier days with the arrows
    tip = bars.locator(".uptime-tip")
    today = tip.inner_text()
    browser_page.keyboard.press("ArrowLeft")
    assert tip.inner_text() != today and ": " in tip.inner_text()
    assert browser_page.evaluate("document.activeElement.getAttribute('aria-label')") == name
