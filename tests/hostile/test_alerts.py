"""Alertmanager bodies as an attacker (or a careless rule author) writes them: what an alert says
stays internal, one bad alert never drops the others, nothing is a 500."""

import gzip

import brotli
import pytest

from app.extensions import db
from app.models import AlertState, Dispatch, Incident, PublishedArtifact, StakeholderGroup
from tests.alerts.test_alertmanager_endpoint import URL, _component, alert, notification
from tests.api.conftest import key_admin, lead_key  # noqa: F401 - fixtures
from tests.factories import create_subscriber, create_user

SECRET = "db-7.corp.internal (10.20.3.4) password auth failed"
SECRETS = ["db-7.corp.internal", "10.20.3.4", "password auth failed", "LeakyAlertName"]


def _leaky(fingerprint="f1", component="api"):
    raw = alert(fingerprint, component=component, alertname="LeakyAlertName", instance="db-7:5432")
    raw["annotations"] = {"summary": SECRET, "description": f"{SECRET} for user app"}
    return raw


def _published() -> dict[str, str]:
    rows = db.session.scalars(db.select(PublishedArtifact).filter_by(gone=False)).all()
    out = {}
    for row in rows:
        out[row.path] = row.body.decode()
        for name, body, decode in (
            ("gz", row.body_gzip, gzip.decompress),
            ("br", row.body_br, brotli.decompress),
        ):
            if body:
                out[f"{row.path} ({name})"] = decode(body).decode()
    return out


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def test_an_alerts_own_words_reach_no_public_output(client, lead_key, outbox):  # noqa: F811
    """Automatic mode, a critical alert: the incident it opens is titled and written from the
    page's templates with the component's public name; the alert's summary, description and
    labels reach neither the page, the feeds, the JSON, the subscribers' email nor the API."""
    component = _component("automatic", name="Checkout")
    create_user(email="lena@example.com")
    create_subscriber(email="reader@example.com")
    db.session.add(StakeholderGroup(name="Execs", emails=["ceo@example.com"], min_severity="SEV5"))
    db.session.commit()
    response = client.post(URL, headers=lead_key, json=notification(_leaky()))
    assert response.status_code == 200, response.get_data(as_text=True)
    incident = db.session.scalar(db.select(Incident))
    assert incident is not None and incident.is_public
    assert not _leaks(incident.title) and "Checkout" in incident.title
    update = incident.updates[0]
    assert not _leaks(update.external_body) and "Checkout" in update.external_body
    assert not _leaks(update.internal_body)
    # The alert's own words stay where the lead reads them: the alert's row.
    assert db.session.scalar(db.select(AlertState.summary)) == SECRET

    published = _published()
    assert "/" in published and "/api/v2/incidents.json" in published
    assert f"/incidents/{incident.public_id}" in published
    for path, body in published.items():
        assert not _leaks(body), f"{path} leaks {_leaks(body)}"
    for path in ("/", "/history.atom", "/history.rss", "/api/v2/summary.json"):
        body = client.get(path).get_data(as_text=True)
        assert not _leaks(body), f"GET {path} leaks {_leaks(body)}"
    api = client.get(f"/api/v1/pages/crier/incidents/{incident.public_id}", headers=lead_key)
    assert api.status_code == 200 and not _leaks(api.get_data(as_text=True))
    assert db.session.scalar(db.select(db.func.count(Dispatch.id))) >= 1
    to_reader = [m for m in outbox if m["To"] == "reader@example.com"]
    to_execs = [m for m in outbox if m["To"] == "ceo@example.com"]
    assert to_reader and to_execs  # the subscribers and the stakeholders were told
    for message in to_reader + to_execs:
        text = message["Subject"] + "".join(
            part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
        )
        assert not _leaks(text), f"email to {message['To']} leaks {_leaks(text)}"
    assert component.name == "Checkout"


def test_a_hidden_components_alert_opens_an_incident_that_names_no_hidden_name(client, lead_key):  # noqa: F811
    component = _component("automatic", slug="db", name="Primary DB cluster 7")
    component.is_public = False
    db.session.commit()
    assert (
        client.post(URL, headers=lead_key, json=notification(_leaky(component="db"))).status_code
        == 200
    )
    incident = db.session.scalar(db.select(Incident))
    assert "Primary DB" not in incident.title
    assert "Primary DB" not in incident.updates[0].external_body


@pytest.mark.parametrize(
    "label",
    [
        {"alertname": "Bad\ud800Name"},
        {"team": "\udfff"},
        {"alertname": "<script>alert(1)</script>"},
        {"alertname": '<img src=x onerror="alert(1)">javascript:alert(1)'},
        {"alertname": "\x00\x1b[31m\u202eemordnilap"},
        {"alertname": "x" * 1999},
        {"\ud800key": "v"},
    ],
)
def test_one_hostile_alert_never_drops_the_others(client, lead_key, label):  # noqa: F811
    """A lone surrogate, raw HTML or controls in one alert's labels: never a 500 or a 422 for
    the notification; every alert in it is recorded, the hostile one cleaned."""
    _component("automatic")
    bad = alert("bad") | {"labels": alert("bad")["labels"] | label}
    body = notification(alert("good", severity="warning"), alert("also"), bad)
    response = client.post(URL, headers=lead_key, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["changed"] == 3
    names = set(db.session.scalars(db.select(AlertState.name)))
    for name in names:
        name.encode()  # storable and sendable as UTF-8
        assert "\x00" not in name and "\u202e" not in name
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1


def test_a_lone_surrogate_in_an_annotation_or_a_component_label_is_not_a_500(client, lead_key):  # noqa: F811
    _component()
    body = notification(
        alert("s1") | {"annotations": {"summary": "disk \ud83d full"}},
        alert("s2", component="api\udc00"),
    )
    response = client.post(URL, headers=lead_key, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["changed"] == 2  # "api\udc00" is "api" once cleaned
    assert db.session.scalar(db.select(AlertState.summary).filter_by(fingerprint="s1")) == (
        "disk  full"
    )


def test_a_component_name_a_text_check_refuses_never_refuses_the_notification(
    client,
    lead_key,  # noqa: F811
):
    """The texts an alert's incident opens with are the templates'; no name put in a fallback
    text can fail that text's check and drop the notification's other alerts."""
    _component("automatic", name="<img src=x> API")
    _component("automatic", slug="web", name="Web")
    body = notification(alert("f1"), alert("f2", component="web", severity="warning"))
    response = client.post(URL, headers=lead_key, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["changed"] == 2
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1
