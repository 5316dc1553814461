import pytest

from app.core.audit import audit_events
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident, edit_incident, resolve_incident
from app.incidents.timeline import timeline_markdown
from app.incidents.updates import post_update
from app.models import Setting
from tests.factories import create_component, create_user


@pytest.fixture
def lead(ctx):
    db.session.add(Setting(page_name="Acme", timezone="Europe/Berlin"))
    db.session.commit()
    return create_user(name="Lena Lead")


def test_the_timeline_has_both_texts_component_changes_and_both_clocks(lead):
    api = create_component(name="API")
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(
                component_statuses={api.public_id: "major_outage"},
                external_body="We are looking.",
                internal_body="Paged.\nSecond line.",
            ),
            title="API down",
            actor=lead,
        )
    with unit_of_work():
        post_update(
            incident, UpdateDraft(internal_body="Bad deploy"), state="identified", actor=lead
        )
    with unit_of_work():
        edit_incident(incident, actor=lead, title="API down", severity="SEV1", impact="critical")
    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=lead)
    text = timeline_markdown(incident)
    assert text.startswith("# API down\n")
    assert "> We are looking." in text and "> Paged.\n> Second line." in text
    assert "> Bad deploy" in text and "> Fixed." in text
    assert "Component **API** → major outage" in text and "→ operational" in text
    assert "incident.edit by Lena Lead (severity SEV3 → SEV1)" in text
    assert " UTC (" in text and ("CET)" in text or "CEST)" in text)
    assert text.index("We are looking.") < text.index("Bad deploy") < text.index("Fixed.")


def test_the_audit_log_filters_by_incident(lead):
    with unit_of_work():
        first = declare_incident(UpdateDraft(external_body="1"), title="One", actor=lead)
    with unit_of_work():
        declare_incident(UpdateDraft(external_body="2"), title="Two", actor=lead)
    assert len(audit_events()) == 2
    [event] = audit_events(incident=first)
    assert event.action == "incident.declare" and event.actor == lead


def test_the_timeline_lists_reminders_and_snoozes(lead):
    from datetime import timedelta

    from app.reminders.tick import snooze_incident, tick

    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(external_body="Looking into it."),
            title="Slow API",
            actor=lead,
            severity="SEV2",
        )
    due = incident.next_update_due_at
    assert [r.level for r in tick(now=due + timedelta(minutes=2))] == ["lead"]
    with unit_of_work():
        snooze_incident(incident, until=due + timedelta(minutes=40), reason="vendor call",
                        actor=lead, now=due + timedelta(minutes=3))  # fmt: skip
    text = timeline_markdown(incident)
    assert "Reminder (lead, sent) for the update due" in text
    assert "incident.snoozed by Lena Lead" in text and "vendor call" in text
