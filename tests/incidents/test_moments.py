"""An incident's moments: taken automatically by the verbs, corrected by the lead in order."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident, edit_incident, resolve_incident
from app.incidents.moments import correct_moments, moments_of
from app.incidents.updates import post_update
from app.models import AlertMode, AlertState, AlertStatus, AuditEvent, Role
from tests.factories import create_component, create_user

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def people(ctx):
    lead = create_user()
    other = create_user(email="other@example.com", name="Olga Other", role=Role.lead)
    commander = create_user(email="ic@example.com", name="Ian Commander", role=Role.lead)
    return lead, other, commander


def _declare(actor, minutes=0, **options):
    draft = UpdateDraft(
        external_body="We are investigating.",
        internal_body="",
        component_statuses=options.pop("component_statuses", {}),
    )
    with time_machine.travel(at(minutes), tick=False), unit_of_work():
        return declare_incident(draft, title="Checkout failing", actor=actor, **options)


def _update(incident, actor, minutes, state):
    draft = UpdateDraft(external_body=f"Now {state}.", internal_body="")
    with time_machine.travel(at(minutes), tick=False), unit_of_work():
        return post_update(incident, draft, state=state, actor=actor)


def _resolve(incident, actor, minutes):
    draft = UpdateDraft(external_body="Fixed.", internal_body="")
    with time_machine.travel(at(minutes), tick=False), unit_of_work():
        return resolve_incident(incident, draft, actor=actor)


def _times(incident):
    return {m.name: m.at for m in moments_of(incident)}


def test_a_lead_who_declares_is_engaged_and_detection_is_the_declaration(people):
    lead, _, _ = people
    incident = _declare(lead, 0)
    _update(incident, lead, 20, "monitoring")
    _update(incident, lead, 30, "monitoring")  # the first monitoring counts, not this one
    _resolve(incident, lead, 45)
    assert _times(incident) == {
        "impact_started_at": at(0),
        "detected_at": at(0),
        "engaged_at": at(0),
        "mitigated_at": at(20),
        "resolved_at": at(45),
    }


def test_engagement_waits_for_the_lead_or_commander_and_mitigation_defaults_to_resolution(
    people,
):
    lead, other, commander = people
    incident = _declare(other, 0, lead_id=lead.id, commander_id=commander.id)
    assert incident.engaged_at is None  # someone else declared it for the lead
    _update(incident, other, 5, "identified")
    assert incident.engaged_at is None
    _update(incident, commander, 12, "identified")
    _update(incident, lead, 15, "identified")
    _resolve(incident, lead, 40)  # never went through monitoring
    times = _times(incident)
    assert times["engaged_at"] == at(12)  # the commander acted first
    assert times["mitigated_at"] == times["resolved_at"] == at(40)


def test_an_edit_by_the_lead_is_an_action(people):
    lead, other, _ = people
    incident = _declare(other, 0, lead_id=lead.id)
    with time_machine.travel(at(7), tick=False), unit_of_work():
        edit_incident(incident, actor=lead, title="Checkout slow", severity="SEV2", impact="minor")
    assert incident.engaged_at == at(7)


def test_a_firing_alert_on_a_component_dates_impact_and_detection(people):
    lead, _, _ = people
    api = create_component(slug="api", name="API")
    api.alert_mode = AlertMode.suggest
    db.session.add(
        AlertState(
            fingerprint="f1",
            component=api,
            status=AlertStatus.firing,
            severity="critical",
            name="HighErrorRate",
            summary="5xx",
            group_key="g",
            starts_at=at(-12),
        )
    )
    db.session.commit()
    incident = _declare(lead, 0, component_statuses={api.public_id: "major_outage"})
    assert incident.impact_started_at == incident.detected_at == at(-12)
    assert incident.engaged_at == at(0)


def test_an_alert_another_incident_took_does_not_date_this_one(people):
    lead, _, _ = people
    api = create_component(slug="api", name="API")
    api.alert_mode = AlertMode.automatic
    db.session.add(
        AlertState(
            fingerprint="f1",
            component=api,
            status=AlertStatus.firing,
            severity="critical",
            name="HighErrorRate",
            summary="5xx",
            group_key="g",
            starts_at=at(-90),
            incident_public_id="someotherone",
        )
    )
    db.session.commit()
    incident = _declare(lead, 0, component_statuses={api.public_id: "major_outage"})
    assert incident.detected_at == at(0)


def _correct(incident, actor, **values):
    with time_machine.travel(at(120), tick=False), unit_of_work():
        return correct_moments(incident, actor=actor, values=values)


def test_the_lead_backdates_impact_start_and_it_is_audited(people):
    lead, _, _ = people
    incident = _declare(lead, 0)
    changed = _correct(incident, lead, impact_started_at=at(-30))
    assert incident.impact_started_at == at(-30)
    assert changed == {"impact_started_at": ["2026-11-30 10:00 UTC", "2026-11-30 09:30 UTC"]}
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="incident.moments"))
    assert event.actor == lead and event.incident_id == incident.id
    assert event.detail == changed


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"impact_started_at": at(5)}, "detected_at"),  # impact after detection
        ({"detected_at": at(1)}, "detected_at"),  # detected after the declaration
        ({"engaged_at": at(-5), "detected_at": at(-1)}, "detected_at"),
        ({"mitigated_at": at(-1)}, "mitigated_at"),  # before engagement (at 0)
        ({"resolved_at": at(10)}, "resolved_at"),  # the incident is open
        ({"impact_started_at": None}, "impact_started_at"),
        ({"engaged_at": at(60 * 24)}, "engaged_at"),  # in the future
    ],
)
def test_an_order_that_does_not_hold_is_refused_on_its_field(people, values, field):
    lead, _, _ = people
    incident = _declare(lead, 0)
    before = _times(incident)
    with pytest.raises(ServiceError) as refused:
        _correct(incident, lead, **values)
    assert refused.value.field == field
    db.session.refresh(incident)
    assert _times(incident) == before
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="incident.moments")) is None


def test_a_resolved_incidents_resolution_can_be_corrected_not_removed(people):
    lead, _, _ = people
    incident = _declare(lead, 0)
    _resolve(incident, lead, 50)
    _correct(incident, lead, resolved_at=at(45), mitigated_at=at(30))
    assert (incident.mitigated_at, incident.resolved_at) == (at(30), at(45))
    with pytest.raises(ServiceError) as refused:
        _correct(incident, lead, resolved_at=None)
    assert refused.value.field == "resolved_at"
    with pytest.raises(ServiceError, match="Nothing changed"):
        _correct(incident, lead, resolved_at=at(45))
