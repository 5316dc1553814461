"""A whole incident through the management API alone, as a script written for Statuspage
would run it: requests over HTTP, ``Authorization: OAuth KEY``, only the base URL changed."""

import requests

from app.extensions import db
from app.models import AuditEvent
from tests.factories import create_component, create_subscriber


def test_a_statuspage_script_runs_an_incident_from_declaration_to_resolution(
    live_server, admin_key, outbox
):
    create_component(slug="api", name="API")
    create_component(slug="web", name="Website", position=1)
    create_subscriber(email="customer@example.org")
    session = requests.Session()
    session.headers.update(admin_key)  # {"Authorization": "OAuth <key>"}
    base = f"{live_server}/api/v1"
    page_id = session.get(f"{live_server}/api/v2/summary.json").json()["page"]["id"]

    page = session.get(f"{base}/pages/{page_id}", timeout=10)
    assert page.status_code == 200 and page.json()["id"] == page_id
    components = {
        c["name"]: c["id"] for c in session.get(f"{base}/pages/{page_id}/components").json()
    }
    created = session.post(
        f"{base}/pages/{page_id}/incidents",
        json={
            "incident": {
                "name": "Elevated API errors",
                "status": "investigating",
                "body": "We are investigating elevated error rates on the API.",
                "components": {
                    components["API"]: "major_outage",
                    components["Website"]: "degraded_performance",
                },
                "deliver_notifications": True,
            }
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    url = f"{base}/pages/{page_id}/incidents/{incident['id']}"
    steps = [
        {"status": "identified", "body": "A bad deploy; we are rolling it back."},
        {"status": "monitoring", "body": "The rollback is out; we are watching the error rate.",
         "components": {components["API"]: "degraded_performance"}},
        {"status": "resolved", "body": "Error rates are back to normal.",
         "components": {components["API"]: "operational", components["Website"]: "operational"}},
    ]  # fmt: skip
    for step in steps:
        response = session.patch(url, json={"incident": step}, timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == step["status"]
    final = session.get(url, timeout=10).json()
    assert final["resolved_at"] and final["monitoring_at"]
    assert [u["status"] for u in final["incident_updates"]] == [
        "resolved", "monitoring", "identified", "investigating"
    ]  # fmt: skip
    assert {c["status"] for c in final["components"]} == {"operational"}
    assert session.get(f"{base}/pages/{page_id}/incidents/unresolved").json() == []

    # The public side followed: the page, the v2 summary, and the subscriber's inbox.
    summary = requests.get(f"{live_server}/api/v2/summary.json", timeout=10).json()
    assert {c["name"]: c["status"] for c in summary["components"]} == {
        "API": "operational", "Website": "operational"
    }  # fmt: skip
    incidents = requests.get(f"{live_server}/api/v2/incidents.json", timeout=10).json()
    assert incidents["incidents"][0]["name"] == "Elevated API errors"
    assert incidents["incidents"][0]["status"] == "resolved"
    public = requests.get(f"{live_server}/incidents/{incident['id']}", timeout=10)
    assert "Error rates are back to normal." in public.text
    to_customer = [m for m in outbox if m["To"] == "customer@example.org"]
    assert len(to_customer) == 4
    assert "Error rates are back to normal." in to_customer[-1].get_body(("plain",)).get_content()

    # The audit log names the key as the author of every step.
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.incident_id.is_not(None)))
    assert {(e.action, e.actor.name) for e in events} == {
        ("incident.declare", "API key “ops admin”"),
        ("update.post", "API key “ops admin”"),
        ("incident.resolve", "API key “ops admin”"),
    }
