"""Every console page renders against the demo data, for each role."""

import pytest

from app.core.uow import unit_of_work
from app.demo import seed_demo
from app.extensions import db
from app.models import Component, ComponentGroup, Incident, IncidentKind, MessageTemplate
from tests.conftest import login
from tests.factories import PASSWORD, create_user


@pytest.mark.parametrize("role", ["viewer", "lead", "admin"])
def test_every_page_renders_with_the_demo_data(client, ctx, role):
    with unit_of_work():
        seed_demo(past_incidents=3)
    create_user(email="me@example.com", role=role)
    login(client, "me@example.com", PASSWORD)
    incident = db.session.scalar(
        db.select(Incident).filter_by(kind=IncidentKind.incident, state="identified")
    )
    resolved = db.session.scalar(db.select(Incident).filter_by(state="resolved"))
    window = db.session.scalar(db.select(Incident).filter_by(state="scheduled"))
    component = db.session.scalar(db.select(Component))
    template = db.session.scalar(db.select(MessageTemplate))
    group = db.session.scalar(db.select(ComponentGroup))
    assert group is not None
    readable = [
        "/admin/",
        "/admin/incidents",
        f"/admin/incidents/{incident.public_id}",
        f"/admin/incidents/{resolved.public_id}",
        f"/admin/incidents/{window.public_id}",
        f"/admin/incidents/{incident.public_id}/timeline.md",
        "/admin/maintenance",
        "/admin/components",
        "/admin/templates",
        "/admin/settings",
        "/admin/audit",
        f"/admin/audit?incident={incident.public_id}",
    ]
    for url in readable:
        assert client.get(url).status_code == 200, url
    for url, needs in [
        ("/admin/incidents/new", "lead"),
        (f"/admin/incidents/{incident.public_id}/updates/new", "lead"),
        (f"/admin/incidents/{incident.public_id}/updates/new?state=monitoring", "lead"),
        (f"/admin/incidents/{incident.public_id}/resolve", "lead"),
        (f"/admin/incidents/{incident.public_id}/edit", "lead"),
        (f"/admin/incidents/{resolved.public_id}/postmortem", "lead"),
        ("/admin/maintenance/new", "lead"),
        (f"/admin/maintenance/{window.public_id}/edit", "lead"),
        (f"/admin/maintenance/{window.public_id}/start", "lead"),
        (f"/admin/maintenance/{window.public_id}/cancel", "lead"),
        (f"/admin/prefill?incident={incident.public_id}&state=identified", "lead"),
        ("/admin/templates/new", "admin"),
        (f"/admin/templates/{template.id}/edit", "admin"),
        (f"/admin/components/{component.public_id}/edit", "admin"),
    ]:
        allowed = {"viewer": 0, "lead": 1, "admin": 2}
        expected = 200 if allowed[role] >= allowed[needs] else 403
        assert client.get(url).status_code == expected, url
