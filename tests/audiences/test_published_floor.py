"""The published public site asks the rule: an audience's incident is not on the floor."""

from app.extensions import db
from app.models import PageAudience, PublishedArtifact
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident


def _everything() -> bytes:
    rows = db.session.scalars(db.select(PublishedArtifact)).all()
    return b"\n".join(r.body for r in rows)


def test_an_audiences_incident_leaves_every_public_artifact(client, ctx):
    create_component(slug="api", name="API")
    dedicated = create_component(slug="dedicated", name="Dedicated", is_public=False)
    mine = create_incident(
        title="Dedicated_1 cluster down",
        components=[dedicated],
        updates=[("Dedicated_1 replicas are restarting.", "")],
    )
    publish_site()
    assert client.get(f"/incidents/{mine.public_id}").status_code == 200  # as today: nobody's
    assert b"Dedicated_1" in _everything()

    db.session.add(PageAudience(name="Enterprise", components=[dedicated]))
    db.session.commit()
    publish_site()
    assert client.get(f"/incidents/{mine.public_id}").status_code == 404
    assert b"Dedicated_1" not in _everything()
    assert mine.public_id.encode() not in _everything()


def test_naming_a_component_in_an_audience_republishes_the_floor(client, ctx):
    from app.audiences.admissions import AudienceDraft
    from app.audiences.manage import create_audience, delete_audience, edit_audience
    from app.core.uow import unit_of_work
    from app.publishing.publish import current_generation
    from tests.factories import create_user

    admin = create_user(email="admin@example.com", role="admin")
    dedicated = create_component(slug="dedicated", name="Dedicated", is_public=False)
    mine = create_incident(title="Dedicated_1 down", components=[dedicated])
    publish_site()
    assert client.get(f"/incidents/{mine.public_id}").status_code == 200
    named = AudienceDraft(name="Enterprise", component_ids=[dedicated.public_id])
    first = current_generation()
    with unit_of_work():  # the publish follows the commit (tasks run inline in tests)
        audience = create_audience(named, actor=admin)
    assert current_generation() > first
    assert client.get(f"/incidents/{mine.public_id}").status_code == 404
    assert b"Dedicated_1" not in _everything()

    second = current_generation()
    with unit_of_work():  # only its members change: the public site is not re-published
        members = AudienceDraft(
            name="Enterprise", component_ids=[dedicated.public_id], emails=["a@example.com"]
        )
        edit_audience(audience, members, actor=admin)
    assert current_generation() == second
    with unit_of_work():
        delete_audience(audience, actor=admin)
    assert client.get(f"/incidents/{mine.public_id}").status_code == 200
