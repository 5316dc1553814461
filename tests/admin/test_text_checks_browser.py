"""The checks' findings in a browser, at phone and desktop size: listed beside the texts with
their one-action choices, axe-clean, nothing scrolling sideways; the choice rewrites the text,
the warnings are accepted with one click, and what is published says the due time."""

import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.messages.seed import seed_default_templates
from app.models import Update
from app.timefmt import format_local
from tests.admin.console_browser import SIZES, axe_violations, sideways_overflow, sign_in
from tests.factories import create_component, create_settings, create_user

TEXT = "Rolled back JIRA-77.\n\nWe will post the next update by 2000-01-01 23:59 UTC."


@pytest.fixture
def incident(ctx):
    create_settings()
    seed_default_templates()
    db.session.commit()
    lead = create_user(email="lead@example.com", role="lead")
    api = create_component(slug="api", name="API")
    with unit_of_work():
        return declare_incident(
            UpdateDraft(
                external_body="Looking.", component_statuses={api.public_id: "major_outage"}
            ),
            title="Payments failing",
            actor=lead,
        )


@pytest.mark.parametrize("viewport", **SIZES)
def test_findings_are_shown_chosen_and_accepted_in_the_browser(
    live_server, browser_page, incident, viewport
):
    page = browser_page
    sign_in(page, live_server, "lead@example.com", viewport=viewport)
    page.goto(live_server + f"/admin/incidents/{incident.public_id}/updates/new?state=identified")
    page.fill("textarea[name=external_body]", TEXT)
    page.click("input[value='Post update']")
    findings = page.locator("#findings")
    findings.wait_for()
    assert "line 3" in findings.inner_text() and "JIRA-77" in findings.inner_text()
    assert axe_violations(page) == []
    assert sideways_overflow(page) <= 0
    page.locator("button[value='due:external:3']").click()
    page.wait_for_selector("text=The text now says")
    body = page.input_value("textarea[name=external_body]")
    assert "2000-01-01" not in body
    page.click("input[value='Post update']")
    page.locator("button[name=accept_warnings]").click()
    page.wait_for_selector("text=Update posted.")
    db.session.expire_all()
    update = db.session.scalars(db.select(Update).order_by(Update.id.desc())).first()
    db.session.refresh(incident)
    assert f"by {format_local(incident.next_update_due_at, 'UTC')}." in update.external_body
    assert "JIRA-77" in update.external_body


@pytest.mark.parametrize("viewport", **SIZES)
def test_correcting_a_typo_in_the_browser(live_server, browser_page, incident, viewport):
    page = browser_page
    sign_in(page, live_server, "lead@example.com", viewport=viewport)
    page.goto(live_server + f"/admin/incidents/{incident.public_id}")
    page.click("text=Correct text")
    assert axe_violations(page) == []
    assert sideways_overflow(page) <= 0
    page.fill("textarea[name=external_body]", "Looking into paymnet errors.")
    page.click("input[value='Correct without notifying']")
    page.wait_for_selector("text=nobody was notified again")
    page.goto(live_server + f"/incidents/{incident.public_id}")
    assert "Looking into paymnet errors." in page.content()
