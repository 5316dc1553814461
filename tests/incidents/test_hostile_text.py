"""Pasted control characters never reach the database through an incident verb."""

from datetime import timedelta

import pytest

from app.core.uow import unit_of_work
from app.incidents.components import create_component, create_group, edit_component
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.incidents.maintenance import schedule_maintenance
from app.incidents.updates import post_update
from app.sqltypes import utcnow
from tests.factories import create_user

PASTED = "\x1b[31mERROR\x1b[0m\x00 at\x07 boot\r\nsecond line"


@pytest.fixture
def lead(ctx):
    return create_user(email="admin@example.com", role="admin")


def test_incident_title_and_both_bodies_are_cleaned(lead):
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(external_body=PASTED, internal_body=PASTED),
            title="Outage \x1b[1mnow\x1b[0m\r\n",
            actor=lead,
        )
    assert incident.title == "Outage [1mnow[0m"
    update = incident.updates[0]
    assert update.external_body == "[31mERROR[0m at boot\nsecond line"
    assert update.internal_body == update.external_body


def test_later_update_bodies_are_cleaned(lead):
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(external_body="Looking."), title="Outage", actor=lead
        )
    with unit_of_work():
        update = post_update(
            incident,
            UpdateDraft(external_body=PASTED, internal_body="a\x9bb"),
            state="identified",
            actor=lead,
        )
    assert update.external_body == "[31mERROR[0m at boot\nsecond line"
    assert update.internal_body == "ab"


def test_maintenance_title_and_texts_are_cleaned(lead):
    start = utcnow() + timedelta(hours=1)
    with unit_of_work():
        window = schedule_maintenance(
            UpdateDraft(external_body=PASTED),
            title="DB\x1b upgrade",
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=1),
            actor=lead,
        )
    assert window.title == "DB upgrade"
    assert window.updates[0].external_body == "[31mERROR[0m at boot\nsecond line"


def test_component_and_group_names_and_descriptions_are_cleaned(lead):
    with unit_of_work():
        group = create_group(name="Core\x1b[0m\tservices", actor=lead)
    assert group.name == "Core[0m services"
    with unit_of_work():
        api = create_component(
            name="API\x00", description=PASTED, actor=lead, group_id=group.public_id
        )
    assert api.name == "API"
    assert api.description == "[31mERROR[0m at boot\nsecond line"
    with unit_of_work():
        edit_component(api, name="Public\x1b API", description="x\x07", actor=lead)
    assert (api.name, api.description) == ("Public API", "x")
