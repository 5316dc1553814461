"""/api/v1 incidents carry the incident's moments as Crier's extras, documented in OpenAPI."""

from tests.factories import create_component

PAGE = "/api/v1/pages/crier"
MOMENTS = ["impact_started_at", "detected_at", "engaged_at", "mitigated_at", "resolved_at"]


def test_an_incidents_moments_are_in_its_answer_and_in_the_document(client, lead_key):
    api = create_component()
    body = {
        "name": "Checkout errors",
        "body": "Looking.",
        "components": {api.public_id: "major_outage"},
    }
    created = client.post(f"{PAGE}/incidents", json={"incident": body}, headers=lead_key).json
    declared = created["incident_updates"][0]["created_at"]
    assert created["impact_started_at"] == created["detected_at"] == declared
    assert created["engaged_at"] is None  # a key is not the lead: nobody has acted yet
    assert created["mitigated_at"] is None and created["resolved_at"] is None
    url = f"{PAGE}/incidents/{created['id']}"
    change = {"incident": {"status": "monitoring", "body": "A fix is out."}}
    watched = client.patch(url, json=change, headers=lead_key).json
    assert watched["mitigated_at"] == watched["incident_updates"][0]["created_at"]
    document = client.get("/api/v1/openapi.json").json
    incident = document["components"]["schemas"]["Incident"]["properties"]
    for name in MOMENTS:
        assert name in incident, name
    assert incident["engaged_at"]["description"].startswith("Crier's extra")
