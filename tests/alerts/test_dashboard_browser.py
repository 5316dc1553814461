"""The dashboard's "declare?" line in a real browser, on a phone and a desktop: it appears
without a reload when an alert fires, fits the screen, and its button opens the form filled."""

import pytest

from app.alerts.payload import parse_notification
from app.alerts.receive import receive_alerts
from app.core.uow import unit_of_work
from tests.admin.console_browser import PHONE, SIZES, axe_violations, sideways_overflow, sign_in
from tests.alerts.test_alertmanager_endpoint import alert, notification
from tests.factories import create_component, create_user


@pytest.mark.parametrize("viewport", **SIZES)
def test_an_alert_shows_on_the_open_dashboard_and_opens_the_declare_form(
    app, ctx, live_server, browser_page, key_admin, viewport, tmp_path
):
    app.config["DASHBOARD_POLL_SECONDS"] = 1
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    api = create_component(slug="api", name="Payments API")
    page = browser_page
    sign_in(page, live_server, "lead@example.com", viewport=viewport)
    with unit_of_work():
        receive_alerts(parse_notification(notification(alert("f1"))), actor=key_admin)

    line = page.locator(".alert-suggestion")
    line.wait_for(timeout=30_000)
    assert "Alert firing on Payments API since" in line.inner_text()
    assert sideways_overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"dashboard-{viewport['width']}.png"), full_page=True)
    button = line.locator("a.button")
    if viewport == PHONE:  # a target a thumb can hit
        assert button.bounding_box()["height"] >= 44
    button.click()
    page.wait_for_url("**/admin/incidents/new?**")
    assert page.input_value("input[name=title]") == "Problems with Payments API"
    assert page.input_value(f"select[name=component-{api.public_id}]") == "major_outage"
    assert sideways_overflow(page) <= 0
    assert page.evaluate("window.__csp") == []
