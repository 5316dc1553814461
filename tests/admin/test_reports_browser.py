"""The reports' charts render in Chromium at phone and desktop sizes: every chart image
loads, fits the screen, the page stays within its content policy and axe finds nothing. Printed,
the page drops the console's menu and forms and fits an A4 page."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Component, Incident, IncidentComponent, Setting
from app.sqltypes import utcnow
from tests.admin.console_browser import SIZES, axe_violations, sideways_overflow, sign_in
from tests.factories import create_user


@pytest.fixture
def incidents(ctx):
    db.session.add(Setting(page_name="Acme"))
    api = Component(slug="api", name="API")
    db.session.add(api)
    now = utcnow()
    for i, severity in enumerate(["SEV1", "SEV2", "SEV2", "SEV3"]):
        impact = now - timedelta(days=2 + i, minutes=30 * i)
        db.session.add(
            Incident(
                title=f"Incident {i}",
                severity=severity,
                state="resolved",
                started_at=impact + timedelta(minutes=5 * i),
                impact_started_at=impact,
                detected_at=impact + timedelta(minutes=5 * i),
                engaged_at=impact + timedelta(minutes=6 * i),
                mitigated_at=impact + timedelta(minutes=40),
                resolved_at=impact + timedelta(hours=1 + i),
                components=[IncidentComponent(component=api, status="major_outage")],
            )
        )
    db.session.commit()
    return create_user(email="viewer@example.com", name="Vic Viewer", role="viewer")


@pytest.mark.parametrize("viewport", **SIZES)
def test_the_histograms_render_for_a_viewer(live_server, browser_page, incidents, viewport):
    page = browser_page
    sign_in(page, live_server, "viewer@example.com", viewport=viewport)
    page.goto(live_server + "/admin/reports?period=year")
    images = page.locator("figure.chart img")
    # TTD, TTE, TTF, TTR (no public update: no chart for that), and the quadrant.
    assert images.count() == 5
    loaded = page.evaluate(
        "Array.from(document.querySelectorAll('figure.chart img'))"
        ".map(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0)"
    )
    assert loaded == [True] * 5
    assert "API fails" in page.locator("#quadrant img").get_attribute("alt")
    assert sideways_overflow(page) <= 0
    assert axe_violations(page) == []
    assert not page.evaluate("window.__csp")


A4 = {"width": 794, "height": 1123}  # CSS pixels at 96 dpi


def test_the_report_prints_on_a4_without_the_console_around_it(
    live_server, browser_page, incidents
):
    page = browser_page
    sign_in(page, live_server, "viewer@example.com", viewport=A4)
    page.goto(live_server + "/admin/reports?period=year")
    page.emulate_media(media="print")
    assert page.locator("nav[aria-label=Admin]").is_hidden()
    assert page.locator("form[aria-label='Report period']").is_hidden()
    assert page.locator(".site-header").is_hidden() and page.locator(".site-footer").is_hidden()
    assert page.locator("#measures").is_visible() and page.locator("#quadrant img").is_visible()
    assert sideways_overflow(page) <= 0
    # Every table and chart ends inside the page's width; no table row splits across pages.
    widest = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('table, figure.chart img'))"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= A4["width"]
    breaks = page.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('main tr'))"
        ".map(r => getComputedStyle(r).breakInside)))"
    )
    assert breaks == ["avoid"]
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")
    assert page.locator("form[aria-label='Report period']").is_visible()


@pytest.mark.parametrize("viewport", **SIZES)
def test_an_admin_sees_the_monthly_email_form_without_axe_violations(
    live_server, browser_page, incidents, viewport
):
    from app.models import StakeholderGroup

    db.session.add(StakeholderGroup(name="Execs", emails=["ceo@example.com"]))
    db.session.commit()
    create_user(email="admin@example.com", name="Ada Admin", role="admin")
    page = browser_page
    sign_in(page, live_server, "admin@example.com", viewport=viewport)
    page.goto(live_server + "/admin/reports?period=year")
    page.select_option("select[name=group]", label="Execs")
    page.click("form[aria-label='Monthly email'] [type=submit]")
    page.wait_for_url("**/admin/reports#monthly-email")
    assert page.locator("select[name=group] option:checked").inner_text() == "Execs"
    assert sideways_overflow(page) <= 0
    assert axe_violations(page) == []
    assert not page.evaluate("window.__csp")
