"""A public change and the publisher's outbox row commit together, in the one transaction of
the unit of work: a crash right after the commit (nothing after it ran) loses nothing, and a
change that rolls back leaves no row."""

import pytest

from app.core.settings import update_settings
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.components import change_component_status
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import edit_incident
from app.incidents.updates import post_update
from app.models import PublishDirty, Role, Update
from app.publishing.changes import pending
from tests.crash import dies_right_after_commit
from tests.factories import create_component, create_incident, create_user


def outbox():
    return sorted((row.kind, row.key) for row in db.session.scalars(db.select(PublishDirty)))


@pytest.fixture
def world(ctx):
    admin = create_user(role=Role.admin)
    api = create_component()
    incident = create_incident(components=[api])
    return admin, api, incident


def test_every_public_change_commits_its_outbox_row_with_it(world):
    admin, api, incident = world
    ids = {"incident": incident.public_id, "api": api.public_id, "admin": admin.id}
    with dies_right_after_commit(), unit_of_work():  # no publish is asked for: it died first
        post_update(
            incident, UpdateDraft(external_body="Found it."), state="identified", actor=admin
        )
        change_component_status(api, status="major_outage", actor=admin)
        edit_incident(incident, actor=admin, title="Renamed", severity="SEV2", impact="major")
        update_settings(actor=admin, page_name="Acme Status")
    assert pending()
    assert outbox() == [
        ("components", ids["api"]),
        ("everything", ""),
        ("incident", ids["incident"]),
        ("incident", ids["incident"]),
    ]


def test_a_change_that_rolls_back_leaves_no_outbox_row(world):
    admin, _api, incident = world
    with pytest.raises(RuntimeError), unit_of_work():
        post_update(
            incident, UpdateDraft(external_body="Found it."), state="identified", actor=admin
        )
        raise RuntimeError("the request failed after the verb")
    assert outbox() == []
    assert db.session.scalar(db.select(Update).filter_by(external_body="Found it.")) is None
