"""An incident Alertmanager opens, or one declared from its suggestion, dates its impact start
and detection from the alert's ``startsAt``."""

from datetime import UTC, datetime

from app.extensions import db
from app.models import Incident
from tests.alerts.test_alertmanager_endpoint import URL, _component, alert, notification
from tests.conftest import csrf_token

STARTS = datetime(2026, 11, 30, 10, 42, 0, 123456, tzinfo=UTC)


def test_an_incident_an_alert_opens_starts_when_the_alert_did(client, lead_key):
    _component("automatic")
    assert client.post(URL, json=notification(alert()), headers=lead_key).status_code == 200
    incident = db.session.scalar(db.select(Incident))
    assert incident.impact_started_at == incident.detected_at == STARTS
    assert incident.started_at > STARTS and incident.engaged_at is None


def test_an_incident_declared_from_a_suggestion_starts_when_the_alert_did(
    client, lead_key, as_lead
):
    api = _component("suggest")
    assert client.post(URL, json=notification(alert()), headers=lead_key).status_code == 200
    url = "/admin/incidents/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "API errors",
        "severity": "SEV2",
        "state": "investigating",
        "lead": str(as_lead.id),
        "external_body": "We are investigating.",
        "internal_body": "",
        f"component-{api.public_id}": "major_outage",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    incident = db.session.scalar(db.select(Incident))
    assert incident.detected_at == STARTS and incident.engaged_at == incident.started_at
