"""Helpers for the console's browser tests: sizes, signing in, what a page must not do."""

from tests.factories import PASSWORD
from tests.public.test_browser import WATCH_CSP

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"argvalues": [PHONE, DESKTOP], "ids": ["phone", "desktop"]}


def sign_in(page, live_server, email, *, viewport):
    """Sign in through the form, at ``viewport``, watching for CSP violations."""
    page.set_viewport_size(viewport)
    page.add_init_script(WATCH_CSP)
    page.goto(live_server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/admin/")


def sideways_overflow(page) -> int:
    """Pixels the page scrolls sideways; 0 when it fits the viewport."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page) -> list:
    """axe-core's WCAG 2.1 AA violations on the page, shortened for an assertion message."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options=options).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results]
