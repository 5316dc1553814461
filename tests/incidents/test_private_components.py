"""Public texts name public components only; internal texts may name all."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.maintenance import (
    complete_maintenance,
    edit_maintenance,
    schedule_maintenance,
    start_maintenance,
)
from app.messages.seed import seed_default_templates
from app.models import PublishedArtifact
from app.publishing.publish import publish_site
from tests.factories import create_component, create_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SECRET = "Billing ledger"


@pytest.fixture
def lead(ctx):
    with time_machine.travel(NOW, tick=False):
        seed_default_templates()
        yield create_user()


@pytest.fixture
def window(lead):
    storage = create_component(slug="storage", name="Object storage")
    ledger = create_component(slug="ledger", name=SECRET, is_public=False)
    with unit_of_work():
        return schedule_maintenance(
            title="Storage upgrade",
            scheduled_for=NOW + timedelta(hours=1),
            scheduled_until=NOW + timedelta(hours=2),
            actor=lead,
            components=[storage.public_id, ledger.public_id],
        )


def test_the_automatic_maintenance_texts_name_public_components_only(window):
    with unit_of_work():
        start_maintenance(window)
    with unit_of_work():
        complete_maintenance(window)
    for update in window.updates:
        assert SECRET not in update.external_body, update.state
        assert "Object storage" in update.external_body
    scheduled = next(u for u in window.updates if u.state == "scheduled")
    assert SECRET in scheduled.internal_body


def test_the_published_site_never_names_a_private_component(client, window):
    with unit_of_work():
        start_maintenance(window)
    publish_site()
    for row in db.session.scalars(db.select(PublishedArtifact)):
        assert SECRET.encode() not in row.body, row.path
    summary = json.loads(client.get("/api/v2/summary.json").data)
    assert "Object storage" in json.dumps(summary)


def test_editing_hidden_components_says_nothing_public(lead, window):
    ledger = next(link.component for link in window.components if not link.component.is_public)
    ledger2 = create_component(slug="ledger-2", name="Ledger replica", is_public=False)
    storage = next(link.component for link in window.components if link.component.is_public)
    with unit_of_work():
        edit_maintenance(
            window,
            actor=lead,
            title=window.title,
            scheduled_for=window.scheduled_for,
            scheduled_until=window.scheduled_until,
            components=[storage.public_id, ledger.public_id, ledger2.public_id],
        )
    notice = window.updates[-1]
    assert notice.external_body == ""
    assert "Ledger replica" in notice.internal_body
    later = window.scheduled_for + timedelta(hours=1)
    with unit_of_work():
        edit_maintenance(
            window,
            actor=lead,
            title=window.title,
            scheduled_for=later,
            scheduled_until=later + timedelta(hours=1),
            components=[ledger.public_id],
        )
    notice = window.updates[-1]
    assert "it affects no components" in notice.external_body
    assert SECRET not in notice.external_body
