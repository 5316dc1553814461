import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import Incident, Update
from tests.conftest import csrf_token
from tests.factories import create_user


@pytest.fixture
def incident(ctx):
    lead = create_user(email="someone@example.com", name="Someone")
    with unit_of_work():
        return declare_incident(
            UpdateDraft(external_body="Looking."), title="API errors", actor=lead
        )


def test_viewers_see_everything_but_change_nothing(client, as_viewer, incident):
    for url in [
        "/admin/",
        "/admin/incidents",
        f"/admin/incidents/{incident.public_id}",
        f"/admin/incidents/{incident.public_id}/timeline.md",
        "/admin/maintenance",
        "/admin/components",
        "/admin/templates",
        "/admin/settings",
        "/admin/audit",
    ]:
        assert client.get(url).status_code == 200, url
    token = csrf_token(client, "/admin/settings")
    for url in [
        "/admin/incidents/new",
        f"/admin/incidents/{incident.public_id}/updates/new",
        f"/admin/incidents/{incident.public_id}/resolve",
        "/admin/maintenance/new",
    ]:
        response = client.post(url, data={"csrf_token": token, "title": "x", "state": "identified"})
        assert response.status_code == 403, url
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1
    html = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    assert "Post update" not in html


def test_a_post_without_csrf_is_refused(client, as_lead, incident):
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    response = client.post(url, data={"state": "identified", "external_body": "x"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1


def test_the_audit_log_filters_by_incident(client, as_lead, incident):
    with unit_of_work():
        other = declare_incident(UpdateDraft(external_body="Hm."), title="Other", actor=as_lead)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.count("incident.declare") == 2
    html = client.get(f"/admin/audit?incident={other.public_id}").get_data(as_text=True)
    assert html.count("incident.declare") == 1 and "Lead User" in html
    assert client.get("/admin/audit?incident=nope").status_code == 404
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 2
