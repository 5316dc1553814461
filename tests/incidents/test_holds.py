"""A component never shows better than an open incident that holds it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.incidents.components import change_component_status
from app.incidents.drafts import UpdateDraft
from app.incidents.holds import held_over, holds
from app.incidents.lifecycle import declare_incident, resolve_incident
from app.incidents.maintenance import complete_maintenance, schedule_maintenance, start_maintenance
from app.incidents.updates import post_update
from app.messages.seed import seed_default_templates
from app.models import ComponentStatus
from tests.factories import create_component, create_user

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def lead(ctx):
    with time_machine.travel(NOW, tick=False):
        seed_default_templates()
        yield create_user()


def _declare(lead, title, statuses):
    with unit_of_work():
        return declare_incident(
            UpdateDraft(external_body="We are investigating.", component_statuses=statuses),
            title=title,
            actor=lead,
            severity="SEV2",
        )


def _resolve(incident, lead, **options):
    with unit_of_work():
        return resolve_incident(
            incident, UpdateDraft(external_body="Fixed."), actor=lead, **options
        )


def test_resolving_one_of_two_incidents_leaves_the_worst_the_other_holds(lead):
    api = create_component()
    payments = _declare(lead, "Payments slow", {api.public_id: "partial_outage"})
    login = _declare(lead, "Login errors", {api.public_id: "degraded_performance"})
    # The later, milder incident does not lower what the earlier one holds.
    assert api.status == ComponentStatus.partial_outage
    _resolve(payments, lead)
    assert api.status == ComponentStatus.degraded_performance  # login still holds it
    _resolve(login, lead)
    assert api.status == ComponentStatus.operational


def test_an_update_cannot_show_better_than_another_open_incident(lead):
    api = create_component()
    payments = _declare(lead, "Payments slow", {api.public_id: "major_outage"})
    login = _declare(lead, "Login errors", {api.public_id: "degraded_performance"})
    with unit_of_work():
        post_update(
            login,
            UpdateDraft(external_body="Better.", component_statuses={api.public_id: "operational"}),
            state="monitoring",
            actor=lead,
        )
    assert api.status == ComponentStatus.major_outage
    [hold] = holds(api, besides=login)
    assert hold.incident == payments
    assert hold.says(api) == "API stays Major outage: held by “Payments slow”"
    assert held_over(api, "operational", besides=payments) is None  # login now says operational


def test_completing_a_window_leaves_what_an_open_incident_holds(lead):
    api = create_component()
    with time_machine.travel(NOW, tick=False):
        with unit_of_work():
            window = schedule_maintenance(
                title="Database upgrade",
                scheduled_for=NOW + timedelta(minutes=5),
                scheduled_until=NOW + timedelta(hours=1),
                actor=lead,
                components=[api.public_id],
            )
        with unit_of_work():
            start_maintenance(window, actor=lead)
        assert api.status == ComponentStatus.under_maintenance
        _declare(lead, "Payments slow", {api.public_id: "partial_outage"})
        assert api.status == ComponentStatus.partial_outage
        with unit_of_work():
            complete_maintenance(window, actor=lead)
    assert api.status == ComponentStatus.partial_outage


def test_a_direct_change_better_than_an_open_incident_is_refused_with_the_reason(lead):
    api = create_component()
    _declare(lead, "Payments slow", {api.public_id: "partial_outage"})
    with pytest.raises(ServiceError, match="held by “Payments slow”"), unit_of_work():
        change_component_status(api, status="operational", actor=lead)
    assert api.status == ComponentStatus.partial_outage
    with unit_of_work():
        change_component_status(api, status="major_outage", actor=lead)  # worse is fine
    assert api.status == ComponentStatus.major_outage


def test_resolving_without_restoring_keeps_the_status(lead):
    api = create_component()
    incident = _declare(lead, "Payments slow", {api.public_id: "partial_outage"})
    _resolve(incident, lead, restore_components=False)
    assert api.status == ComponentStatus.partial_outage
