"""Every console page on the demo, at 390x844 and 1280x800: axe-core finds no WCAG 2.1 AA
violation, nothing scrolls sideways, and the policy blocks nothing the page needs."""

from datetime import timedelta

import pytest

from app.core.api_keys import create_api_key, revoke_api_key
from app.core.uow import unit_of_work
from app.demo import ADMIN_EMAIL, seed_demo
from app.extensions import db
from app.models import (
    ComponentGroup,
    Incident,
    MessageTemplate,
    PageAudience,
    StakeholderGroup,
    User,
)
from app.sqltypes import utcnow
from tests.admin.console_browser import SIZES, axe_violations, sideways_overflow, sign_in
from tests.factories import PASSWORD

DAYS_30 = timedelta(days=30)


@pytest.fixture
def console_urls(ctx):
    with unit_of_work():
        seed_demo(past_incidents=3)
    admin = db.session.scalar(db.select(User).filter_by(email=ADMIN_EMAIL))
    admin.set_password(PASSWORD)
    db.session.commit()
    # Keys in each state the list shows: working, expiring, suspended (owner demoted), revoked.
    lead = db.session.scalar(db.select(User).filter_by(role="lead", active=True))
    with unit_of_work():
        create_api_key("deploy pipeline", scope="lead", actor=admin)
        create_api_key("rotation", scope="lead", actor=admin, expires_at=utcnow() + DAYS_30)
        create_api_key("old admin tool", scope="admin", actor=admin)
        revoke_api_key(create_api_key("gone", scope="lead", actor=lead)[0], actor=admin)
        create_api_key("lead's script", scope="lead", actor=lead)
    lead.role = "viewer"
    db.session.commit()
    open_incident = db.session.scalar(db.select(Incident).filter_by(state="identified"))
    closed = db.session.scalar(db.select(Incident).filter_by(kind="incident", state="resolved"))
    window = db.session.scalar(db.select(Incident).filter_by(kind="maintenance"))
    component = open_incident.components[0].component
    assert db.session.scalar(db.select(ComponentGroup.id))
    template = db.session.scalar(db.select(MessageTemplate))
    group = db.session.scalar(db.select(StakeholderGroup))
    i, m = open_incident.public_id, window.public_id
    audience = db.session.scalar(db.select(PageAudience.public_id).filter_by(name="Staff"))
    return [
        "/admin/",
        "/admin/incidents",
        f"/admin/incidents/{i}",
        "/admin/incidents/new",
        f"/admin/incidents/{i}/updates/new",
        f"/admin/incidents/{i}/resolve",
        f"/admin/incidents/{i}/edit",
        f"/admin/incidents/{i}/moments",
        f"/admin/incidents/{i}/audiences",
        "/admin/audiences",
        f"/admin/audiences/{audience}/preview",
        "/admin/audiences/preview?email=buyer@enterprise.example",
        f"/admin/incidents/{i}/dispatches",
        f"/admin/incidents/{closed.public_id}/postmortem",
        "/admin/maintenance",
        "/admin/maintenance/new",
        f"/admin/incidents/{m}",  # a window's page: its notices
        f"/admin/maintenance/{m}/edit",
        f"/admin/maintenance/{m}/cancel",
        "/admin/components",
        f"/admin/components/{component.public_id}/edit",
        f"/admin/components/{component.public_id}/target",
        "/admin/templates",
        "/admin/templates/new",
        f"/admin/templates/{template.id}/edit",
        "/admin/settings",
        "/admin/settings/api-keys",
        "/admin/subscribers",
        "/admin/subscribers/import",
        "/admin/stakeholders",
        "/admin/stakeholders/new",
        f"/admin/stakeholders/{group.id}",
        "/admin/reports",
        "/admin/reports?period=year",
        "/admin/users",
        "/admin/audit",
        "/admin/profile",
    ]


@pytest.mark.parametrize("viewport", **SIZES)
def test_every_console_page_passes_axe_and_fits_the_screen(
    live_server, browser_page, console_urls, viewport
):
    page = browser_page
    sign_in(page, live_server, ADMIN_EMAIL, viewport=viewport)
    menu_link = page.locator("nav[aria-label=Admin] >> text=Incidents")
    assert menu_link.is_visible() == (viewport["width"] > 700)  # folded on a phone only
    problems = {}
    for url in console_urls:
        response = page.goto(live_server + url)
        assert response.status == 200, url
        found = axe_violations(page)
        if found:
            problems[url] = found
        overflow = sideways_overflow(page)
        if overflow > 0:
            problems.setdefault(url, []).append(f"scrolls sideways by {overflow}px")
        unlabelled = page.evaluate(UNLABELLED_CELLS)
        if unlabelled:
            problems.setdefault(url, []).append(f"cells without a label: {unlabelled}")
        if page.evaluate("window.__csp"):
            problems.setdefault(url, []).append(page.evaluate("window.__csp"))
    assert problems == {}


# On a phone a table is a stack of cards: a value after a row's first cell (its title) needs
# its label with it, unless the cell only holds actions (forms, buttons) or spans the row.
UNLABELLED_CELLS = """
Array.from(document.querySelectorAll("table.table tbody tr")).flatMap(function (tr) {
  return Array.from(tr.cells).slice(1).filter(function (td) {
    return td.tagName === "TD" && !td.dataset.label && td.colSpan === 1 && td.textContent.trim()
      && !td.querySelector("form, .button");
  }).map(function (td) { return td.textContent.trim().slice(0, 40); });
})
"""


def test_on_a_phone_the_console_works_from_the_keyboard(live_server, browser_page, console_urls):
    page = browser_page
    sign_in(page, live_server, ADMIN_EMAIL, viewport=SIZES["argvalues"][0])
    assert not page.locator("nav[aria-label=Admin] >> text=Incidents").is_visible()  # folded
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Dashboard"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/admin/incidents")

    update = next(url for url in console_urls if url.endswith("/updates/new"))
    page.goto(live_server + update)
    assert page.evaluate("document.activeElement.name") == "state"  # the first field
    page.goto(live_server + "/admin/settings")
    assert page.evaluate("document.activeElement.name") == "page_name"
