"""Ids from outside in the console's URLs and forms: a 404 or a 422, never a 500."""

import pytest

from tests.conftest import csrf_token
from tests.factories import create_component, create_incident

HUGE = "9" * 25


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/templates/{HUGE}/edit",
        f"/admin/stakeholders/{HUGE}",
        f"/admin/templates/{2**31}/edit",
        f"/history/{HUGE}",
        f"/components/api/history/{HUGE}",
    ],
)
def test_huge_ids_in_urls_are_404(client, as_admin, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", [f"/admin/users/{HUGE}", f"/admin/dispatches/{HUGE}/retry", "/admin/users/²"]
)
def test_huge_ids_in_posted_urls_are_404(client, as_admin, path):
    token = csrf_token(client, "/admin/users")
    assert client.post(path, data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("lead", [HUGE, "²", "-3"])
def test_odd_people_ids_in_the_incident_form_are_422(client, as_lead, lead):
    url = "/admin/incidents/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "Broken",
        "severity": "SEV2",
        "state": "investigating",
        "lead": lead,
        "commander": lead,
        "external_body": "We are looking.",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    # The secrets branch words it "The Comms Lead must be … choose someone from the list."
    assert "choose someone from the list." in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("component", [HUGE, "²", "0"])
def test_odd_component_ids_in_the_subscribe_form_are_422(client, ctx, outbox, component):
    create_component(slug="api", name="API")
    data = {
        "email": "reader@example.com",
        "components": [component],
        "csrf_token": csrf_token(client, "/subscribe"),
    }
    response = client.post("/subscribe", data=data)
    assert response.status_code == 422 and outbox == []


def test_odd_incident_cadence_is_422(client, as_lead):
    create_incident()
    url = "/admin/incidents/new"
    data = {"csrf_token": csrf_token(client, url), "title": "x", "cadence_minutes": HUGE}
    assert client.post(url, data=data).status_code == 422
