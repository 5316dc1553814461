"""Before posting, the forms say who will see it, by the rule the publisher uses; the lead adds
audiences to an incident by hand from its page."""

from app.audiences.admissions import AudienceDraft
from app.audiences.manage import create_audience
from app.core.audit import audit_events
from app.core.uow import unit_of_work
from app.extensions import db
from app.models import Incident
from tests.conftest import csrf_token
from tests.factories import create_component, create_incident, create_user


def _audiences():
    admin = create_user(email="admin@example.org", role="admin")
    api = create_component(slug="api", name="API")
    dedicated = create_component(slug="dedicated", name="Dedicated_1", is_public=False)
    runners = create_component(slug="runners", name="Runners_1", is_public=False)
    with unit_of_work():
        enterprise = create_audience(
            AudienceDraft(
                name="Enterprise EU",
                component_ids=[dedicated.public_id],
                emails=["a@corp.example", "b@corp.example", "c@corp.example"],
                domains=["enterprise.example"],
            ),
            actor=admin,
        )
        staff = create_audience(
            AudienceDraft(
                name="Staff",
                kind="internal",
                component_ids=[runners.public_id],
                domains=["example.org"],
            ),
            actor=admin,
        )
    return api, dedicated, runners, enterprise, staff


def _seen(client, **query):
    page = client.get("/admin/reach", query_string=query).get_data(as_text=True)
    start = page.index("data-reach-seen")
    return " ".join(page[start : page.index("</li>", start)].split())


def test_the_declare_form_says_who_will_see_it_as_the_components_change(client, as_lead):
    api, dedicated, *_ = _audiences()
    on_api = _seen(client, **{f"component-{api.public_id}": "partial_outage", "is_public": "y"})
    assert "everyone (the public page), Enterprise EU (3 members, @enterprise.example), " in on_api
    assert "Staff (@example.org; reads the internal text)" in on_api
    on_dedicated = _seen(
        client, **{f"component-{dedicated.public_id}": "partial_outage", "is_public": "y"}
    )
    assert "Enterprise EU (3 members" in on_dedicated
    assert "everyone" not in on_dedicated and "Staff" not in on_dedicated
    internal_only = _seen(client, **{f"component-{dedicated.public_id}": "partial_outage"})
    assert "nobody outside the console" in internal_only and "internal-only" in internal_only
    internal_on_api = _seen(client, **{f"component-{api.public_id}": "partial_outage"})
    assert "Staff" in internal_on_api and "Enterprise" not in internal_on_api
    assert "everyone" not in internal_on_api
    page = client.get("/admin/incidents/new").get_data(as_text=True)
    assert "Will see it:" in page


def test_the_update_form_and_the_incident_page_agree_with_the_hand_added_audiences(client, as_lead):
    _, _, runners, enterprise, _ = _audiences()
    incident = create_incident(title="Runners_1 slow", components=[runners])
    show = f"/admin/incidents/{incident.public_id}"
    assert "Staff (@example.org; reads the internal text)." in " ".join(
        client.get(show).get_data(as_text=True).split()
    )
    url = f"{show}/audiences"
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "audiences": [enterprise.public_id]}
    )
    assert response.status_code == 302
    page = " ".join(client.get(show).get_data(as_text=True).split())
    assert "Enterprise EU (3 members, @enterprise.example), Staff" in page
    assert "Added by hand: Enterprise EU." in page
    form = " ".join(client.get(f"{show}/updates/new").get_data(as_text=True).split())
    assert "Will see it:</strong> Enterprise EU (3 members" in form
    assert [e.detail for e in audit_events() if e.action == "incident.audiences"] == [
        {"added": ["Enterprise EU"]}
    ]


def test_bad_audience_ids_change_nothing_and_say_why(client, as_lead):
    *_, enterprise, _ = _audiences()
    incident = create_incident(title="API_1 errors")
    url = f"/admin/incidents/{incident.public_id}/audiences"
    for bad in ("1234567890123456789012345", "abcdefghijkl", "\x00" * 12, "x" * 100_000):
        response = client.post(
            url, data={"csrf_token": csrf_token(client, url), "audiences": [bad]}
        )
        assert response.status_code == 422
        assert "There is no audience" in response.get_data(as_text=True)
    assert client.post(url, data={"audiences": [enterprise.public_id]}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).added_audiences == []


def test_a_viewer_cannot_add_audiences(client, as_viewer):
    incident = create_incident(title="API_1 errors")
    assert client.get(f"/admin/incidents/{incident.public_id}/audiences").status_code == 403
