"""A change re-renders only the sets of audiences that can see it; a change on the floor is
seen by every set; an incident that leaves a set takes its page with it."""

from datetime import timedelta

from app.extensions import db
from app.models import AudienceArtifact, PublishDirty
from app.models.published import INCIDENT
from app.publishing.publish import publish_changes
from app.sqltypes import utcnow
from tests.audiences.audience_world import forget, viewer_client, world

__all__ = ["world"]


def _homes(world):
    """set's members → the ETag of its status page."""
    by_id = {w["audience"].public_id: name for name, w in world.items() if name != "shared"}
    query = db.select(AudienceArtifact.key, AudienceArtifact.etag).filter_by(path="/")
    return {
        frozenset(by_id[i] for i in key.split(",")): etag for key, etag in db.session.execute(query)
    }


def _change(incident, days_later):
    db.session.add(PublishDirty(kind=INCIDENT, key=incident.public_id))
    db.session.commit()
    # Days later, every status page that is rendered again shows other uptime bars and past
    # days: a page whose bytes stay the same was not rendered again.
    assert publish_changes(now=utcnow() + timedelta(days=days_later)) is not None


def test_a_change_on_one_audiences_incident_re_renders_only_the_sets_that_see_it(world):
    before = _homes(world)
    _change(world["Beta"]["incident"], 3)
    after = _homes(world)
    moved = {members for members in before if before[members] != after[members]}
    assert moved == {frozenset({"Beta"}), frozenset({"Alpha", "Beta"})}


def test_a_change_on_the_floor_re_renders_every_set(world):
    before = _homes(world)
    _change(world["shared"], 3)
    after = _homes(world)
    assert all(before[members] != after[members] for members in before)


def test_an_incident_that_leaves_a_set_takes_its_page_with_it(app, world):
    incident = world["Alpha"]["incident"]
    path = f"/incidents/{incident.public_id}"
    client = viewer_client(app, "bo@alpha.example")
    assert client.get(path).status_code == 200
    incident.is_public = False  # internal-only now: Alpha, a customer audience, loses it
    db.session.commit()
    _change(incident, 0)
    forget()
    assert client.get(path).status_code == 404
    assert b"Alpha_1 outage" not in client.get("/").data
    assert db.session.scalar(db.select(AudienceArtifact.id).filter_by(path=path)) is None
