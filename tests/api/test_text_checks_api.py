"""/api/v1 writes go through the same checks of their texts as the console, refused with the
finding (a 422 naming the line) and nothing written."""

from app.extensions import db
from app.models import AuditEvent, Incident, Update
from tests.factories import create_component

PAGE = "/api/v1/pages/crier"


def _create(client, headers, body):
    incident = {"name": "Checkout errors", "body": body}
    return client.post(f"{PAGE}/incidents", json={"incident": incident}, headers=headers)


def test_a_private_component_name_in_the_body_is_refused_with_the_line(client, lead_key):
    create_component(slug="ledger", name="Ledger DB", is_public=False)
    response = _create(client, lead_key, "Checkout fails.\n\nLedger DB is failing over.")
    assert response.status_code == 422
    assert "line 3" in response.json["error"] and "Ledger DB" in response.json["error"]
    assert response.json["findings"][0] == {
        "check": "private",
        "text": "body",
        "line": 3,
        "message": response.json["findings"][0]["message"],
        "blocking": True,
        "key": response.json["findings"][0]["key"],
    }
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_an_empty_link_and_a_ticket_id_are_refused(client, lead_key):
    dead = _create(client, lead_key, "[Status of the fix](https://)")
    assert dead.status_code == 422 and dead.json["findings"][0]["check"] == "link"
    ticket = _create(client, lead_key, "Tracked as OPS-1312.")
    assert ticket.status_code == 422 and "OPS-1312" in ticket.json["error"]
    assert ticket.json["findings"][0]["blocking"] is False
    accepted = client.post(
        f"{PAGE}/incidents",
        json={
            "incident": {
                "name": "Checkout errors",
                "body": "Tracked as OPS-1312.",
                "accept_warnings": [ticket.json["findings"][0]["key"]],
            }
        },
        headers=lead_key,
    )
    assert accepted.status_code == 201
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="update.warnings_accepted"))
    assert "OPS-1312" in str(event.detail)


def test_a_correction_is_checked_too(client, lead_key):
    created = _create(client, lead_key, "We are looking into it.").json
    update = created["incident_updates"][0]
    url = f"{PAGE}/incidents/{created['id']}/incident_updates/{update['id']}"
    response = client.patch(
        url, json={"incident_update": {"body": "See db-1.eu.internal"}}, headers=lead_key
    )
    assert response.status_code == 422 and "db-1.eu.internal" in response.json["error"]
    assert db.session.scalar(db.select(Update.external_body)) == "We are looking into it."
