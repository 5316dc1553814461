"""The reports' histograms render in Chromium at phone and desktop sizes: every chart image
loads, fits the screen, the page stays within its content policy and axe finds nothing."""

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
    assert images.count() == 4  # TTD, TTE, TTF, TTR; no public update: no chart for that
    loaded = page.evaluate(
        "Array.from(document.querySelectorAll('figure.chart img'))"
        ".map(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0)"
    )
    assert loaded == [True] * 4
    assert sideways_overflow(page) <= 0
    assert axe_violations(page) == []
    assert not page.evaluate("window.__csp")
