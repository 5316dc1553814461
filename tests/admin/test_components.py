from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import Component, ComponentGroup, ComponentStatus
from tests.conftest import csrf_token
from tests.factories import create_component

LIST = "/admin/components"


def _token(client):
    return csrf_token(client, LIST)


def test_an_admin_adds_groups_and_components(client, as_admin):
    assert client.post("/admin/groups/new", data={"csrf_token": _token(client), "name": "Core"})
    group = db.session.scalar(db.select(ComponentGroup))
    data = {
        "csrf_token": _token(client),
        "name": "Public API",
        "group_id": group.public_id,
        "is_public": "y",
    }
    assert client.post("/admin/components/new", data=data).status_code == 302
    component = db.session.scalar(db.select(Component))
    assert (component.slug, component.group) == ("public-api", group)
    html = client.get(LIST).get_data(as_text=True)
    assert "Public API" in html and "Core" in html


def test_bad_components_get_form_errors(client, as_admin):
    create_component(slug="api", name="API")
    for fields, message in [
        ({"name": ""}, "Give the component a name"),
        ({"name": "API"}, "already uses the slug"),
        ({"name": "X", "slug": "No Spaces"}, "lower-case letters"),
        ({"name": "X", "group_id": "ghost"}, "Choose a group from the list."),
    ]:
        response = client.post(
            "/admin/components/new", data={"csrf_token": _token(client)} | fields
        )
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert db.session.scalar(db.select(db.func.count(Component.id))) == 1


def test_editing_hiding_and_reordering(client, as_admin):
    api = create_component(slug="api", name="API", position=0)
    web = create_component(slug="web", name="Web", position=1)
    url = f"/admin/components/{api.public_id}/edit"
    data = {"csrf_token": csrf_token(client, url), "name": "REST API", "slug": "api"}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(api)
    assert api.name == "REST API" and api.is_public is False
    response = client.post(
        f"/admin/components/{web.public_id}/move/up", data={"csrf_token": _token(client)}
    )
    assert response.status_code == 302
    db.session.refresh(web)
    db.session.refresh(api)
    assert web.position < api.position


def test_deleting_a_component_in_use_is_refused(client, as_admin):
    api = create_component(slug="api", name="API")
    with unit_of_work():
        declare_incident(
            UpdateDraft(component_statuses={api.public_id: "major_outage"}, external_body="Down"),
            title="Down",
            actor=as_admin,
        )
    response = client.post(
        f"/admin/components/{api.public_id}/delete", data={"csrf_token": _token(client)}
    )
    assert response.status_code == 422 and "is open and uses API" in response.get_data(True)
    assert db.session.get(Component, api.id) is not None


def test_a_lead_changes_a_status_but_cannot_edit(client, as_lead):
    api = create_component(slug="api", name="API")
    url = f"/admin/components/{api.public_id}/status"
    response = client.post(url, data={"csrf_token": _token(client), "status": "major_outage"})
    assert response.status_code == 302
    db.session.refresh(api)
    assert api.status == ComponentStatus.major_outage
    bad = client.post(url, data={"csrf_token": _token(client), "status": "on_fire"})
    assert bad.status_code == 422 and "is not a component status" in bad.get_data(True)
    data = {"csrf_token": _token(client), "name": "New"}
    assert client.post("/admin/components/new", data=data).status_code == 403
