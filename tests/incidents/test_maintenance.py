from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app import tasks
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.maintenance import (
    advance_maintenance,
    cancel_maintenance,
    complete_maintenance,
    edit_maintenance,
    schedule_maintenance,
    start_maintenance,
)
from app.messages.seed import seed_default_templates
from app.messages.templates import edit_template
from app.models import (
    Audience,
    AuditEvent,
    ComponentStatus,
    IncidentKind,
    MessageTemplate,
    State,
    Update,
)
from tests.factories import create_component, create_user, split_draft

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock(ctx):
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lead(clock):
    seed_default_templates()
    return create_user()


def _schedule(lead, components=(), component_ids=None, **fields):
    options = {
        "title": "Database upgrade",
        "scheduled_for": NOW + timedelta(hours=1),
        "scheduled_until": NOW + timedelta(hours=2),
        "actor": lead,
        "components": component_ids or [c.public_id for c in components],
    } | fields
    draft, options = split_draft(options)
    with unit_of_work():
        return schedule_maintenance(draft, **options)


def test_scheduling_uses_the_maintenance_templates(lead):
    db_component = create_component(slug="db", name="Databases")
    window = _schedule(lead, [db_component])
    [update] = window.updates
    assert window.state == State.scheduled and update.state == State.scheduled
    assert "maintenance on **Databases**" in update.external_body
    assert db_component.status == ComponentStatus.operational  # not until it starts
    assert window.next_update_due_at is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"scheduled_until": NOW + timedelta(minutes=30)}, "scheduled_until"),
        (
            {
                "scheduled_for": NOW - timedelta(hours=3),
                "scheduled_until": NOW - timedelta(hours=1),
            },
            "scheduled_until",
        ),
        ({"component_ids": ["nope"]}, "components"),
        ({"external_body": "<script>x</script>"}, "external_body"),
    ],
)
def test_bad_windows_are_refused(lead, fields, field):
    with pytest.raises(ServiceError) as caught:
        _schedule(lead, **fields)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 0


def test_the_tick_starts_and_completes_windows_on_time(lead, clock):
    db_component = create_component(slug="db", name="Databases")
    window = _schedule(lead, [db_component])
    assert advance_maintenance() == []
    clock.move_to(NOW + timedelta(hours=1, seconds=1))
    [started] = advance_maintenance()
    assert window.state == State.in_progress and started.posted_by is None
    assert db_component.status == ComponentStatus.under_maintenance
    assert started.notify is False  # automatic moves stay quiet unless the lead asked
    assert advance_maintenance() == []
    clock.move_to(NOW + timedelta(hours=2, seconds=1))
    [done] = advance_maintenance()
    assert window.state == State.completed and window.resolved_at == done.posted_at
    assert db_component.status == ComponentStatus.operational
    assert "complete" in done.external_body


def test_the_huey_task_runs_the_tick(lead, clock):
    window = _schedule(lead)
    clock.move_to(NOW + timedelta(hours=1, minutes=1))
    tasks.maintenance_tick.call_local()
    db.session.refresh(window)
    assert window.state == State.in_progress


def test_automatic_moves_notify_when_the_lead_ticked_it(lead, clock):
    window = _schedule(lead, auto_notify=True)
    clock.move_to(NOW + timedelta(hours=1))
    [started] = advance_maintenance()
    assert started.notify is True and window.auto_notify


def test_a_lead_can_start_and_complete_by_hand(lead):
    window = _schedule(lead)
    with unit_of_work():
        start_maintenance(
            window,
            UpdateDraft(external_body="Starting early.", notify=None, notify_stakeholders=None),
            actor=lead,
        )
    assert window.updates[-1].external_body == "Starting early."
    with pytest.raises(ServiceError), unit_of_work():
        start_maintenance(window, actor=lead)
    with unit_of_work():
        complete_maintenance(window, actor=lead)
    assert window.state == State.completed


def test_editing_posts_a_notice_of_the_change(lead):
    window = _schedule(lead)
    later = NOW + timedelta(hours=3)
    with unit_of_work():
        edit_maintenance(
            window,
            actor=lead,
            title="Database upgrade",
            scheduled_for=later,
            scheduled_until=later + timedelta(hours=1),
        )
    assert window.scheduled_for == later and window.started_at == later
    assert "changed this maintenance" in window.updates[-1].external_body
    with pytest.raises(ServiceError, match="Nothing changed"), unit_of_work():
        edit_maintenance(
            window,
            actor=lead,
            title="Database upgrade",
            scheduled_for=later,
            scheduled_until=later + timedelta(hours=1),
        )


def test_cancelling_a_started_window_restores_components(lead, clock):
    db_component = create_component(slug="db", name="Databases")
    window = _schedule(lead, [db_component])
    clock.move_to(NOW + timedelta(hours=1))
    advance_maintenance()
    with unit_of_work():
        update = cancel_maintenance(window, actor=lead)
    assert window.state == State.cancelled and not window.is_open
    assert "is cancelled. Nothing will change for you." in update.external_body
    assert db_component.status == ComponentStatus.operational
    with pytest.raises(ServiceError, match="cancelled"), unit_of_work():
        cancel_maintenance(window, actor=lead)


def test_updates_on_a_window_keep_its_phase(lead):
    from app.incidents.updates import post_update

    window = _schedule(lead)
    with unit_of_work():
        post_update(window, UpdateDraft(external_body="Still on."), state="scheduled", actor=lead)
    with pytest.raises(ServiceError, match="Start now") as caught, unit_of_work():
        post_update(window, UpdateDraft(external_body="Go"), state="in_progress", actor=lead)
    assert caught.value.field == "state"
    with unit_of_work():
        start_maintenance(window, actor=lead)
    with unit_of_work():
        post_update(window, UpdateDraft(external_body="Checking."), state="verifying", actor=lead)
    assert window.state == State.verifying
    with pytest.raises(ServiceError, match="cannot go back"), unit_of_work():
        post_update(window, UpdateDraft(external_body="Oops"), state="scheduled", actor=lead)


def test_only_someone_with_the_lead_role_can_lead_a_window(lead):
    viewer = create_user(email="viewer@example.com", name="Vic Viewer", role="viewer")
    with pytest.raises(ServiceError, match="The Comms Lead must be an active user") as caught:
        _schedule(lead, lead_id=viewer.id)
    assert caught.value.field == "lead"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 0
    assert _schedule(lead, lead_id=lead.id).lead == lead


def test_the_automatic_texts_carry_no_instruction_meant_for_the_lead(lead, clock):
    # Nobody reads the tick's texts before they go: the defaults must say only facts.
    window = _schedule(lead, [create_component(slug="db", name="Databases")], auto_notify=True)
    clock.move_to(NOW + timedelta(hours=2, seconds=1))
    advance_maintenance()
    advance_maintenance()
    assert window.state == State.completed
    for update in window.updates[1:]:
        for text in (update.external_body, update.internal_body):
            assert text.strip() and "here." not in text and "Note any" not in text, text


@pytest.mark.parametrize(
    ("audience", "body", "found"),
    [
        ("internal", "Completed at {{ resolved_at }}.\n\n- Follow-ups:\n- Owner:", "Follow-ups"),
        ("external", "All done. [Details](https://)", "https://"),
    ],
)
def test_a_broken_template_on_an_automatic_move_goes_out_as_the_built_in_text(
    lead, clock, audience, body, found
):
    template = db.session.scalar(
        db.select(MessageTemplate).filter_by(
            kind=IncidentKind.maintenance, state=State.completed, audience=Audience(audience)
        )
    )
    with unit_of_work():
        edit_template(
            template, actor=lead, name=template.name, kind=template.kind, state=template.state,
            audience=template.audience, subject=template.subject, body=body,
        )  # fmt: skip
    window = _schedule(lead, [create_component(slug="db", name="Databases")])
    clock.move_to(NOW + timedelta(hours=1, seconds=1))
    advance_maintenance()
    clock.move_to(NOW + timedelta(hours=2, seconds=1))
    [done] = advance_maintenance()
    text = getattr(done, f"{audience}_body")
    assert found not in text and "complete" in text.lower(), text
    other = "external" if audience == "internal" else "internal"
    assert "complete" in getattr(done, f"{other}_body").lower()
    [event] = db.session.scalars(
        db.select(AuditEvent).filter_by(action="update.template_replaced")
    ).all()
    assert event.incident_id == window.id and event.actor_id is None
    assert event.detail["audiences"] == [audience] and found in str(event.detail["findings"])
