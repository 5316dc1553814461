"""POST /api/v1/alertmanager: Alertmanager's webhook body, through the HTTP endpoint."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AlertState, ApiKey, AuditEvent, Component, Incident
from tests.factories import create_component, create_user

URL = "/api/v1/alertmanager"


def alert(fingerprint="f1", status="firing", component="api", severity="critical", **labels):
    return {
        "status": status,
        "labels": {"alertname": "HighErrorRate", "component": component, "severity": severity}
        | labels,
        "annotations": {"summary": "API 5xx above 5%"},
        "startsAt": "2026-11-30T10:42:00.123456789Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-30T11:00:00Z",
        "generatorURL": "http://prometheus.local/graph",
        "fingerprint": fingerprint,
    }


def notification(*alerts, group_key='{}:{alertname="HighErrorRate"}'):
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "receiver": "crier",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.local",
        "alerts": list(alerts),
    }


def _component(mode="suggest", slug="api", name="API"):
    component = create_component(slug=slug, name=name)
    component.alert_mode = mode
    db.session.commit()
    return component


def test_a_wrong_key_is_401_and_changes_nothing(client, lead_key):
    _component()
    response = client.post(URL, json=notification(alert()), headers={"Authorization": "OAuth no"})
    assert response.status_code == 401
    assert response.is_json
    assert db.session.scalar(db.select(db.func.count(AlertState.id))) == 0


def test_bad_payloads_are_400_json_and_change_nothing(client, lead_key):
    _component()
    bodies = [
        "not json",
        [],
        {"version": "3", "groupKey": "g", "alerts": []},
        {"version": "4", "groupKey": "g", "alerts": {}},
        {"version": "4", "groupKey": 7, "alerts": []},
    ]
    for raw in bodies:
        kwargs = {"data": raw} if isinstance(raw, str) else {"json": raw}
        response = client.post(URL, headers=lead_key, **kwargs)
        assert response.status_code == 400, raw
        assert "error" in response.get_json()
    assert db.session.scalar(db.select(db.func.count(AlertState.id))) == 0


def test_one_bad_alert_never_stops_the_others(client, lead_key):
    _component()
    broken = alert("f2") | {"startsAt": "yesterday"}
    response = client.post(
        URL, headers=lead_key, json=notification(broken, "nonsense", alert("f1"))
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["changed"] == 1
    assert [e["index"] for e in data["errors"]] == [0, 1]
    assert db.session.scalar(db.select(AlertState.fingerprint)) == "f1"


def test_an_unknown_component_is_counted_and_ignored(client, lead_key):
    _component()
    body = notification(alert("f1", component="nope"), alert("f2", component="nope"))
    data = client.post(URL, headers=lead_key, json=body).get_json()
    assert data["unknown_components"] == {"nope": 2}
    assert data["ignored"] == 2 and data["changed"] == 0


def test_suggest_mode_tells_the_lead_once_and_touches_nothing(client, lead_key, outbox):
    component = _component()
    create_user(email="lena@example.com")
    body = notification(alert("f1"))
    assert client.post(URL, headers=lead_key, json=body).get_json()["changed"] == 1
    again = client.post(URL, headers=lead_key, json=body).get_json()
    assert again["changed"] == 0 and again["unchanged"] == 1
    db.session.refresh(component)
    assert component.status == "operational"
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
    assert [m["To"] for m in outbox] == ["lena@example.com"]
    assert "Alert firing on API" in outbox[0]["Subject"]


def test_automatic_critical_opens_an_incident_and_resolve_restores(client, lead_key, outbox):
    component = _component("automatic")
    component.status = "degraded_performance"
    db.session.commit()
    create_user(email="lena@example.com")
    client.post(URL, headers=lead_key, json=notification(alert("f1")))
    db.session.refresh(component)
    assert component.status == "major_outage"
    incident = db.session.scalar(db.select(Incident))
    assert incident.title == "Problems with API"  # the alert's summary stays internal
    assert incident.state == "investigating"
    key = db.session.scalar(db.select(ApiKey).filter_by(name="deploy pipeline"))
    assert incident.updates[0].posted_by_id == key.user_id  # audited as the key
    assert incident.lead.email == "lena@example.com"  # a person, whom reminders reach
    assert db.session.scalar(
        db.select(AuditEvent.action).where(AuditEvent.action == "incident.declare")
    )
    # A repeat of the same alert opens nothing more.
    client.post(URL, headers=lead_key, json=notification(alert("f1")))
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1

    resolved = client.post(URL, headers=lead_key, json=notification(alert("f1", "resolved")))
    assert resolved.get_json()["changed"] == 1
    db.session.refresh(component)
    # The incident the alert opened is still open and holds the component: the page must not
    # say otherwise until the lead resolves it (then it is operational).
    assert component.status == "major_outage"
    db.session.refresh(incident)
    assert incident.state == "investigating"  # never resolved silently
    told = [m for m in outbox if "post the resolution" in m["Subject"]]
    assert [m["To"] for m in told] == ["lena@example.com"]
    assert f"/admin/incidents/{incident.public_id}/resolve" in told[0].get_body().get_content()
    assert "it stays major outage while the incident that holds it is open" in (
        told[0].get_body().get_content()
    )
    # The resolve repeated changes nothing.
    again = client.post(URL, headers=lead_key, json=notification(alert("f1", "resolved")))
    assert again.get_json()["changed"] == 0


def test_a_flapping_alert_joins_the_incident_it_opened(client, lead_key):
    """Firing, resolved, firing again on the same fingerprint: still one incident, and the
    component follows the alert each time."""
    component = _component("automatic")
    for status in ("firing", "resolved", "firing", "resolved", "firing"):
        response = client.post(URL, headers=lead_key, json=notification(alert("f1", status)))
        assert response.status_code == 200 and response.get_json()["changed"] == 1
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1
    incident = db.session.scalar(db.select(Incident))
    assert db.session.scalar(db.select(AlertState.incident_public_id)) == incident.public_id
    db.session.refresh(component)
    assert component.status == "major_outage"


def test_a_group_has_one_open_incident_and_a_closed_one_is_not_joined(client, lead_key):
    _component("automatic")
    _component("automatic", slug="web", name="Website")
    client.post(URL, headers=lead_key, json=notification(alert("f1")))
    # Another alert of the same group, on another component, in a later notification.
    client.post(URL, headers=lead_key, json=notification(alert("f2", component="web")))
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1
    incident = db.session.scalar(db.select(Incident))
    incident.state = "resolved"
    db.session.commit()
    client.post(URL, headers=lead_key, json=notification(alert("f1", "resolved")))
    client.post(URL, headers=lead_key, json=notification(alert("f1")))
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 2  # a new episode


def test_automatic_warning_sets_the_status_without_an_incident(client, lead_key):
    component = _component("automatic")
    client.post(URL, headers=lead_key, json=notification(alert("w1", severity="warning")))
    db.session.refresh(component)
    assert component.status == "degraded_performance"
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
    client.post(URL, headers=lead_key, json=notification(alert("w1", "resolved")))
    db.session.refresh(component)
    assert component.status == "operational"
    assert db.session.get(Component, component.id).status == "operational"


def test_the_label_and_the_severity_table_are_settings(app, client, lead_key):
    app.config["ALERT_COMPONENT_LABEL"] = "service"
    app.config["ALERT_SEVERITY_STATUSES"] = {"page": "partial_outage"}
    component = _component("automatic")
    body = notification(alert("p1", component="nope", severity="page", service="api"))
    assert client.post(URL, headers=lead_key, json=body).get_json()["changed"] == 1
    db.session.refresh(component)
    assert component.status == "partial_outage"


def test_an_oversized_or_too_deep_body_is_refused_in_json(app, client, lead_key):
    _component()
    big = notification(alert("f1") | {"annotations": {"summary": "x" * 1500}})
    big["alerts"] *= 1000
    response = client.post(URL, headers=lead_key, json=big)
    assert response.status_code in (400, 413) and response.is_json
    deep = '{"version": "4", "alerts": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(URL, headers=lead_key, data=deep, content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert db.session.scalar(db.select(db.func.count(AlertState.id))) == 0


def test_the_same_alert_recorded_at_the_same_moment_elsewhere_is_a_repeat_not_a_500(
    app, client, lead_key
):
    """Two Alertmanagers (an HA pair) send the same new alert at once: the second insert of its
    fingerprint collides; the request takes the other's row as the repeat it is."""
    component = _component()
    component_id = component.id
    raced = []

    def the_other_alertmanager_commits_first(session, _context, _instances):
        if raced or not any(isinstance(o, AlertState) for o in session.new):
            return
        raced.append(True)
        with db.engine.begin() as other:
            other.execute(
                AlertState.__table__.insert().values(
                    fingerprint="f1",
                    component_id=component_id,
                    status="firing",
                    severity="critical",
                    name="HighErrorRate",
                    summary="API 5xx above 5%",
                    group_key="g",
                    starts_at=db.func.now(),
                    updated_at=db.func.now(),
                )
            )

    event.listen(Session, "before_flush", the_other_alertmanager_commits_first)
    try:
        response = client.post(URL, json=notification(alert()), headers=lead_key)
    finally:
        event.remove(Session, "before_flush", the_other_alertmanager_commits_first)
    assert raced
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["unchanged"] == 1
    assert db.session.scalar(db.select(db.func.count(AlertState.id))) == 1


def test_the_lead_notice_is_queued_after_the_commit_not_sent_in_the_request(
    app, app_factory, client, lead_key, outbox
):
    from app.email import get_backend
    from app.extensions import huey

    _component()
    create_user(email="lena@example.com")
    create_user(email="omar@example.com")
    queue_app = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=None)  # the queue a worker reads
    queue = huey.huey
    queue.flush()
    response = client.post(URL, headers=lead_key, json=notification(alert("f1")))
    assert response.status_code == 200 and response.get_json()["changed"] == 1
    assert outbox == []  # nothing sent while Alertmanager waited
    assert queue.pending_count() == 2  # one task per person: a retry resends to that one only
    state = db.session.scalar(db.select(AlertState))
    assert state.notified_at is not None  # committed before the tasks were queued
    while queue.pending_count():
        queue.execute(queue.dequeue())
    with queue_app.app_context():
        sent = get_backend().outbox
    assert sorted(m["To"] for m in sent) == ["lena@example.com", "omar@example.com"]
    assert {m["Subject"] for m in sent} == {
        "[Status] Alert firing on API: API 5xx above 5% — declare?"
    }
    body = sent[0].get_body().get_content()
    assert "Alertmanager reports 1 alert(s) firing on API." in body
    assert "Declare an incident: http://status.example.test/admin/" in body
