from datetime import timedelta

import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident, resolve_incident
from app.incidents.updates import post_update
from app.models import ComponentStatus, IncidentComponent, Setting, State, Update
from app.sqltypes import utcnow
from tests.factories import create_component, create_user, split_draft


@pytest.fixture
def lead(ctx):
    return create_user()


@pytest.fixture
def incident(lead):
    with unit_of_work():
        return declare_incident(
            UpdateDraft(external_body="Looking."), title="Slow API", actor=lead, severity="SEV3"
        )


def test_posting_moves_the_state_and_resets_the_cadence(lead, incident):
    db.session.add(Setting(page_name="Acme"))
    db.session.commit()
    with unit_of_work():
        update = post_update(
            incident,
            UpdateDraft(external_body="Fix out.", internal_body="v2"),
            state="monitoring",
            actor=lead,
        )
    assert incident.state == State.monitoring and incident.monitoring_at == update.posted_at
    assert incident.next_update_due_at - update.posted_at == timedelta(minutes=120)
    assert update.posted_by == lead


def test_an_internal_only_update_is_not_public(lead, incident):
    with unit_of_work():
        update = post_update(
            incident, UpdateDraft(internal_body="DB failover"), state="identified", actor=lead
        )
    assert update.is_public is False and update.external_body == ""


def test_component_changes_are_recorded_on_the_incident(lead, incident):
    api = create_component()
    with unit_of_work():
        post_update(
            incident,
            UpdateDraft(
                external_body="Found it.",
                component_statuses={api.public_id: "degraded_performance"},
            ),
            state="identified",
            actor=lead,
        )
    link = db.session.scalar(db.select(IncidentComponent).filter_by(component_id=api.id))
    assert link.status == ComponentStatus.degraded_performance
    assert api.status == ComponentStatus.degraded_performance


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"state": "resolved"}, "state"),
        ({"state": "in_progress"}, "state"),
        ({"external_body": "", "internal_body": "  "}, "external_body"),
        ({"internal_body": "<iframe src=x>"}, "internal_body"),
        ({"external_body": "[x](javascript:alert(1))"}, "external_body"),
        ({"component_statuses": {"ghost": "major_outage"}}, "components"),
        ({"next_update_by": utcnow() + timedelta(days=9)}, "next_update_by"),
    ],
)
def test_bad_updates_are_refused_and_nothing_is_written(lead, incident, fields, field):
    options = {"state": "identified", "actor": lead, "external_body": "Text"} | fields
    draft, options = split_draft(options)
    with pytest.raises(ServiceError) as caught, unit_of_work():
        post_update(incident, draft, **options)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1


def test_a_closed_incident_takes_no_more_updates(lead, incident):
    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=lead)
    with pytest.raises(ServiceError, match="closed"), unit_of_work():
        post_update(incident, UpdateDraft(external_body="More?"), state="identified", actor=lead)
