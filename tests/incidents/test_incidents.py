from datetime import timedelta

import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import (
    declare_incident,
    edit_incident,
    impact_for,
    post_postmortem,
    resolve_incident,
)
from app.models import (
    AuditEvent,
    ComponentStatus,
    ComponentStatusChange,
    Impact,
    Incident,
    Setting,
    State,
    Update,
)
from app.signals import dispatches_ready, public_changed, publish_requested, update_posted
from app.sqltypes import utcnow
from tests.factories import create_component, create_user, split_draft


@pytest.fixture
def lead(ctx):
    return create_user()


def _declare(lead, **fields):
    options = {
        "title": "Checkout failing",
        "actor": lead,
        "severity": "SEV2",
        "external_body": "We are investigating.",
        "internal_body": "Paged on-call.",
    } | fields
    draft, options = split_draft(options)
    with unit_of_work():
        return declare_incident(draft, **options)


def test_declaring_opens_an_incident_with_its_first_update(lead):
    api = create_component(slug="api", name="API")
    incident = _declare(lead, component_statuses={api.public_id: "major_outage"})
    assert incident.state == State.investigating and incident.lead == lead
    assert incident.impact == Impact.critical  # defaulted from the worst component status
    [update] = incident.updates
    assert (update.external_body, update.internal_body) == (
        "We are investigating.",
        "Paged on-call.",
    )
    assert api.status == ComponentStatus.major_outage
    change = db.session.scalar(db.select(ComponentStatusChange).filter_by(component_id=api.id))
    assert change.status == ComponentStatus.major_outage and change.update_id == update.id
    assert db.session.scalar(db.select(AuditEvent.action)) == "incident.declare"


def test_declaring_sets_the_next_update_from_the_cadence_policy(lead):
    db.session.add(Setting(page_name="Acme"))
    db.session.commit()
    incident = _declare(lead, severity="SEV1")
    due = incident.next_update_due_at - incident.updates[0].posted_at
    assert due == timedelta(minutes=15)  # SEV1 investigating in DESIGN.md's table
    assert incident.updates[0].next_update_by == incident.next_update_due_at


def test_a_promised_next_update_time_wins_over_the_cadence(lead):
    promised = utcnow() + timedelta(minutes=7)
    incident = _declare(lead, next_update_by=promised)
    assert incident.next_update_due_at == promised.replace(microsecond=promised.microsecond)


def test_a_cadence_override_wins_over_the_policy(lead):
    incident = _declare(lead, severity="SEV1", cadence_minutes=5)
    due = incident.next_update_due_at - incident.updates[0].posted_at
    assert due == timedelta(minutes=5) and incident.cadence_minutes == 5
    with pytest.raises(ServiceError) as caught:
        _declare(lead, cadence_minutes=0)
    assert caught.value.field == "cadence_minutes"


def test_impact_can_be_overridden(lead):
    api = create_component()
    incident = _declare(lead, component_statuses={api.public_id: "major_outage"}, impact="minor")
    assert incident.impact == Impact.minor


def test_impact_follows_the_worst_status():
    assert impact_for(["degraded_performance", "partial_outage"]) == Impact.major
    assert impact_for([]) == Impact.none


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"severity": "SEV9"}, "severity"),
        ({"state": "resolved"}, "state"),
        ({"impact": "apocalyptic"}, "impact"),
        ({"component_statuses": {"nope": "major_outage"}}, "components"),
        ({"external_body": "", "internal_body": ""}, "external_body"),
        ({"external_body": "<script>alert(1)</script>"}, "external_body"),
        ({"commander_id": 999}, "commander"),
        ({"next_update_by": utcnow() - timedelta(minutes=1)}, "next_update_by"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(lead, fields, field):
    with pytest.raises(ServiceError) as caught:
        _declare(lead, **fields)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_signals_fire_in_order_around_the_commit(lead):
    seen = []

    def on_posted(sender, update):
        # Inside the transaction: an outbox row added here commits with the update.
        seen.append(("posted", update.id, update in db.session))
        db.session.add(AuditEvent(action="outbox.test", object_type="update"))

    def on_public(sender, **changed):  # what changed: publishing re-renders only that
        seen.append(("public", changed["incident"], db.session().in_transaction()))

    def on_dispatches(sender, ids):  # after the commit: another connection sees the rows
        with db.engine.connect() as other:
            count = other.scalar(db.select(db.func.count(Update.id)))
        seen.append(("dispatches", len(ids), count))

    def on_publish(sender):
        seen.append(("publish",))

    with (
        update_posted.connected_to(on_posted),
        public_changed.connected_to(on_public),
        dispatches_ready.connected_to(on_dispatches),
        publish_requested.connected_to(on_publish),
        unit_of_work(),
    ):
        incident = _declare(lead)
        assert [s[0] for s in seen] == ["posted", "public"]  # nothing after-commit yet
    update_id, public_id = incident.updates[0].id, incident.public_id
    assert seen == [
        ("posted", update_id, True),
        ("public", public_id, True),
        ("dispatches", 1, 1),
        ("publish",),
    ]
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="outbox.test"))


def test_a_refused_unit_of_work_sends_nothing_after_it(lead):
    seen = []
    with dispatches_ready.connected_to(lambda sender, ids: seen.append(ids)):
        with pytest.raises(ServiceError), unit_of_work():
            _declare(lead)
            raise ServiceError("refused after the verb")
        with unit_of_work():
            pass  # a later commit does not send what the refused one queued
    assert seen == []
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_resolving_closes_the_incident_and_restores_components(lead):
    api = create_component()
    incident = _declare(lead, component_statuses={api.public_id: "partial_outage"})
    with unit_of_work():
        update = resolve_incident(incident, UpdateDraft(external_body="All good now."), actor=lead)
    assert incident.state == State.resolved and incident.resolved_at == update.posted_at
    assert incident.next_update_due_at is None
    assert api.status == ComponentStatus.operational
    statuses = db.session.scalars(
        db.select(ComponentStatusChange.status).order_by(ComponentStatusChange.id)
    ).all()
    assert statuses == [ComponentStatus.partial_outage, ComponentStatus.operational]


def test_resolving_can_leave_components_as_they_are(lead):
    api = create_component()
    incident = _declare(lead, component_statuses={api.public_id: "partial_outage"})
    with unit_of_work():
        resolve_incident(
            incident, UpdateDraft(internal_body="Done"), actor=lead, restore_components=False
        )
    assert api.status == ComponentStatus.partial_outage


def test_resolving_twice_is_refused(lead):
    incident = _declare(lead)
    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=lead)
    with pytest.raises(ServiceError, match="already resolved"), unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed again."), actor=lead)


def test_a_postmortem_follows_a_resolved_incident(lead):
    incident = _declare(lead)
    with pytest.raises(ServiceError, match="follows a resolved"), unit_of_work():
        post_postmortem(
            incident,
            UpdateDraft(external_body="[Postmortem](https://x.test/pm)", notify=False),
            actor=lead,
        )
    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=lead)
    with unit_of_work():
        update = post_postmortem(
            incident,
            UpdateDraft(external_body="[Postmortem](https://x.test/pm)", notify=False),
            actor=lead,
        )
    assert update.state == State.postmortem and incident.state == State.resolved
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 3


def test_editing_an_incident_escalates_the_cadence_but_never_delays_it(lead):
    incident = _declare(lead, severity="SEV4")  # investigating: 120 minutes
    posted = incident.updates[0].posted_at
    commander = create_user(email="ic@example.com", name="Ivan")
    with unit_of_work():
        edit_incident(
            incident,
            actor=lead,
            title="Checkout down",
            severity="SEV1",
            impact="critical",
            commander_id=commander.id,
        )
    assert incident.next_update_due_at - posted == timedelta(minutes=15)
    assert (incident.title, incident.commander, incident.lead) == ("Checkout down", commander, lead)
    with unit_of_work():
        edit_incident(incident, actor=lead, title="Checkout down", severity="SEV5", impact="minor")
    assert incident.next_update_due_at - posted == timedelta(minutes=15)
    event = db.session.scalar(
        db.select(AuditEvent).filter_by(action="incident.edit").order_by(AuditEvent.id)
    )
    assert event.detail["severity"] == ["SEV4", "SEV1"]


def test_editing_refuses_bad_input_and_closed_incidents(lead):
    incident = _declare(lead)
    fields = {"title": "T", "severity": "SEV3", "impact": "none"}
    for bad, field in [({"severity": "SEV0"}, "severity"), ({"impact": "x"}, "impact")]:
        with pytest.raises(ServiceError) as caught, unit_of_work():
            edit_incident(incident, actor=lead, **fields | bad)
        assert caught.value.field == field
    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=lead)
    with pytest.raises(ServiceError, match="Only an open incident"), unit_of_work():
        edit_incident(incident, actor=lead, **fields)
