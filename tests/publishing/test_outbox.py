"""A public change and the publisher's outbox row commit together, in the service's own
transaction: a crash right after the commit (no receiver ran) loses nothing, and a change
that rolls back leaves no row."""

import pytest
from sqlalchemy import event

from app.core.settings import update_settings
from app.extensions import db
from app.incidents.components import change_component_status
from app.incidents.lifecycle import edit_incident
from app.incidents.updates import post_update
from app.models import PublishDirty, Role, Update
from app.signals import public_changed
from tests.factories import create_component, create_incident, create_user


def outbox():
    return sorted((row.kind, row.key) for row in db.session.scalars(db.select(PublishDirty)))


@pytest.fixture
def world(ctx):
    admin = create_user(role=Role.admin)
    api = create_component()
    incident = create_incident(components=[api])
    return admin, api, incident


def test_every_public_change_commits_its_outbox_row_without_any_receiver(world):
    admin, api, incident = world
    with public_changed.muted():  # as if the process died right after each commit
        post_update(incident, state="identified", actor=admin, external_body="Found it.")
        assert outbox() == [("incident", incident.public_id)]
        change_component_status(api, status="major_outage", actor=admin)
        assert ("components", api.public_id) in outbox()
        edit_incident(incident, actor=admin, title="Renamed", severity="SEV2", impact="major")
        update_settings(actor=admin, page_name="Acme Status")
        assert ("everything", "") in outbox()
    db.session.expire_all()
    assert len(outbox()) == 4  # committed, not only pending in the session


def test_a_change_that_rolls_back_leaves_no_outbox_row(world):
    admin, _api, incident = world

    def crash(session):
        raise RuntimeError("the database went away at commit")

    event.listen(db.session, "before_commit", crash)
    try:
        with public_changed.muted(), pytest.raises(RuntimeError):
            post_update(incident, state="identified", actor=admin, external_body="Found it.")
    finally:
        event.remove(db.session, "before_commit", crash)
    db.session.rollback()
    assert outbox() == []
    assert db.session.scalar(db.select(Update).filter_by(external_body="Found it.")) is None
