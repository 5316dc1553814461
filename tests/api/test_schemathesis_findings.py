"""What schemathesis found where /api/v1 answered otherwise than its OpenAPI document says,
each pinned here: paging and search past their documented bounds, the incident lists and
the unsubscribe path taken for ids, Alertmanager's top-level fields unchecked."""

import pytest

from tests.factories import create_component

PAGE = "/api/v1/pages/crier"
LISTS = ["/incidents", "/incidents/upcoming", "/components", "/component-groups", "/subscribers"]


@pytest.mark.parametrize("path", LISTS)
def test_paging_past_the_documented_maximum_is_a_400_not_a_silent_cap(client, admin_key, path):
    # negative_data_rejection: limit=101 and page=1001 were answered as limit=100 and as
    # page 1000000 (the document says 1..100 and 1..1000).
    for query, status in (("limit=101", 400), ("page=1001", 400), ("limit=100&page=1000", 200)):
        response = client.get(f"{PAGE}{path}?{query}", headers=admin_key)
        assert response.status_code == status, (query, response.json)
    error = client.get(f"{PAGE}{path}?limit=101", headers=admin_key).json["error"]
    assert error == "“limit” must be a whole number from 1 to 100."


@pytest.mark.parametrize(("path", "most"), [("/incidents", 200), ("/subscribers", 254)])
def test_a_search_past_its_documented_length_is_a_400_not_cut_short(client, admin_key, path, most):
    # negative_data_rejection: a longer q was cut to its first characters and searched.
    assert client.get(f"{PAGE}{path}?q={'x' * most}", headers=admin_key).status_code == 200
    response = client.get(f"{PAGE}{path}?q={'x' * (most + 1)}", headers=admin_key)
    assert response.status_code == 400
    assert response.json["error"] == f"“q” is longer than {most} characters."


def _allowed(response) -> set[str]:
    return {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("name", ["unresolved", "upcoming", "scheduled", "active_maintenance"])
def test_an_incident_list_is_not_taken_for_an_incident_id(client, admin_key, name):
    # allow_header_conformance: OPTIONS on /incidents/upcoming allowed DELETE, PATCH and PUT,
    # the methods of /incidents/{incident_id}, and DELETE /incidents/upcoming reached the
    # delete view (a 404 for an incident called "upcoming") instead of a 405.
    url = f"{PAGE}/incidents/{name}"
    assert _allowed(client.options(url, headers=admin_key)) == {"GET", "HEAD", "OPTIONS"}
    for method in ("delete", "patch", "put"):
        response = getattr(client, method)(url, json={"incident": {}}, headers=admin_key)
        assert response.status_code == 405 and "error" in response.json
        assert _allowed(response) == {"GET", "HEAD", "OPTIONS"}


def test_unsubscribe_is_not_taken_for_a_subscriber_id(client, admin_key):
    url = f"{PAGE}/subscribers/unsubscribe"
    assert _allowed(client.options(url, headers=admin_key)) == {"POST", "OPTIONS"}
    assert client.get(url, headers=admin_key).status_code == 405
    assert client.delete(url, headers=admin_key).status_code == 405


def test_ids_that_merely_start_like_a_list_still_name_incidents(client, admin_key):
    response = client.get(f"{PAGE}/incidents/upcoming2", headers=admin_key)
    assert response.status_code == 404
    assert response.json == {"error": "There is no incident with that id."}


def _notification(**fields) -> dict:
    alert = {"status": "firing", "labels": {"alertname": "Down", "component": "api"},
             "startsAt": "2026-11-30T10:00:00Z", "fingerprint": "f1"}  # fmt: skip
    return {"version": "4", "groupKey": "g", "alerts": [alert]} | fields


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"truncatedAlerts": "x"}, "truncatedAlerts: 'x' is not of type 'integer'."),
        ({"groupLabels": {"team": 1}}, "groupLabels.team: 1 is not of type 'string'."),
        ({"status": "exploded"}, "status: 'exploded' is not one of ['firing', 'resolved']."),
    ],
)
def test_alertmanager_fields_off_the_document_are_a_400(client, lead_key, fields, error):
    # negative_data_rejection: top-level fields of the wrong type were ignored (200); the
    # body is now checked against the request body the document publishes for it.
    create_component()
    response = client.post("/api/v1/alertmanager", json=_notification(**fields), headers=lead_key)
    assert (response.status_code, response.json) == (400, {"error": error})
    assert client.post(
        "/api/v1/alertmanager", json=_notification(), headers=lead_key
    ).status_code == 200  # fmt: skip
