"""The dashboard left open in a real browser keeps itself current, on a phone and a desktop."""

from datetime import timedelta

import pytest

from app.core.uow import unit_of_work
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.sqltypes import utcnow
from tests.admin.console_browser import PHONE, SIZES, sideways_overflow, sign_in
from tests.factories import create_incident, create_user


@pytest.mark.parametrize("viewport", **SIZES)
def test_a_dashboard_left_open_shows_new_and_newly_overdue_incidents(
    app, ctx, live_server, browser_page, templates, viewport
):
    app.config["DASHBOARD_POLL_SECONDS"] = 1
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    colleague = create_user(email="ivan@example.com", name="Ivan Lead", role="lead")
    create_incident(title="Calm incident", next_update_due_at=utcnow() + timedelta(minutes=40))
    soon = create_incident(
        title="Search is slow", next_update_due_at=utcnow() + timedelta(seconds=6)
    )
    page = browser_page
    sign_in(page, live_server, "lead@example.com", viewport=viewport)
    row = page.locator(f"#incident-{soon.public_id}")
    assert "row-soon" in row.get_attribute("class")
    assert page.title().startswith("Dashboard")

    # A colleague declares an incident elsewhere: it appears without a reload.
    with unit_of_work():
        declared = declare_incident(
            UpdateDraft(external_body="Looking."),
            title="Checkout failing",
            actor=colleague,
            severity="SEV1",
        )
    page.wait_for_selector(f"#incident-{declared.public_id}", timeout=30_000)
    # The countdown runs out in the open page: red, counted in the tab title, and on top.
    page.wait_for_selector(f"#incident-{soon.public_id}.row-overdue", timeout=30_000)
    assert row.locator(".countdown").inner_text().startswith("Overdue by ")
    page.wait_for_selector(f"tbody tr:first-child#incident-{soon.public_id}", timeout=30_000)
    assert page.title().startswith("(1 overdue) Dashboard")
    assert page.locator(".countdown").first.inner_text().startswith("Overdue by")

    assert page.locator("text=Live: this list updates itself").is_visible()
    assert sideways_overflow(page) <= 0
    assert page.evaluate("window.__csp") == []
    post = page.locator(f"#incident-{declared.public_id} a.button")
    assert post.inner_text().startswith("Post update")
    if viewport == PHONE:  # one tap from the dashboard, on a target a thumb can hit
        assert post.bounding_box()["height"] >= 44
    post.click()
    page.wait_for_url(f"**/admin/incidents/{declared.public_id}/updates/new")


@pytest.mark.parametrize("viewport", **SIZES)
def test_the_incident_page_left_open_counts_down_to_overdue(
    ctx, live_server, browser_page, templates, viewport
):
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    soon = create_incident(
        title="Search is slow", next_update_due_at=utcnow() + timedelta(seconds=4)
    )
    page = browser_page
    sign_in(page, live_server, "lead@example.com", viewport=viewport)
    page.goto(live_server + f"/admin/incidents/{soon.public_id}")
    countdown = page.locator("[data-countdown] .countdown")
    assert countdown.inner_text().startswith("in ")
    # No reload: the open page turns overdue on the server's clock, as the dashboard does.
    page.wait_for_selector("[data-countdown].is-overdue", timeout=30_000)
    assert countdown.inner_text().startswith("Overdue by ")
    assert page.evaluate("window.__csp") == []
