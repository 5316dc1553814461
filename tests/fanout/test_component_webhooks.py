"""``component_update`` webhooks: a component's status changed outside an update reaches the
webhook subscribers of that component (or of all), signed, through the dispatch outbox."""

from datetime import timedelta

from app.core.api_keys import create_api_key
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout import dispatch as dispatch_service
from app.fanout.hooks import subscribe_webhook
from app.fanout.webhooks import SIGNATURE_HEADER
from app.incidents.components import change_component_status
from app.incidents.drafts import UpdateDraft
from app.incidents.holds import record_status
from app.incidents.updates import post_update
from app.models import ComponentChange, ComponentStatus, Dispatch, DispatchStatus
from app.sqltypes import utcnow
from tests.crash import dies_right_after_commit
from tests.factories import create_component, create_incident, create_user
from tests.fanout.test_webhooks import verify


def _changes() -> list[ComponentChange]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ComponentChange).order_by(ComponentChange.id)))


def _sent(server, path):
    """The component_update payloads the endpoint at ``path`` received (not the challenge)."""
    return [h for h in server.hits if h.path == path and "component_update" in (h.json or {})]


def _two_subscribers(server):
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Website", position=1)
    with unit_of_work():
        _sub, secret = subscribe_webhook(server.url + "/api", component_ids=[api.id])
    with unit_of_work():
        subscribe_webhook(server.url + "/web", component_ids=[web.id])
    return api, secret


def test_a_console_status_change_reaches_the_subscriber_of_that_component(hook_app, hook_server):
    api, secret = _two_subscribers(hook_server)
    lead = create_user()
    with unit_of_work():
        change_component_status(api, status="major_outage", actor=lead)
    [hit] = _sent(hook_server, "/api")
    assert verify(secret, hit.headers[SIGNATURE_HEADER], hit.raw)
    body = hit.json
    assert set(body) == {"meta", "page", "component_update", "component"}
    assert body["meta"]["unsubscribe"].startswith("http://status.example.test/hooks/unsubscribe/")
    update = body["component_update"]
    assert (update["old_status"], update["new_status"]) == ("operational", "major_outage")
    assert update["component_id"] == api.public_id == body["component"]["id"]
    assert update["id"] == _changes()[0].public_id and update["created_at"].endswith("Z")
    assert (body["component"]["name"], body["component"]["status"]) == ("API", "major_outage")
    assert body["page"]["status_indicator"] == "major"
    assert _sent(hook_server, "/web") == []  # a subscriber of another component: nothing
    dispatch = db.session.scalar(db.select(Dispatch).filter_by(component_change=_changes()[0]))
    assert (dispatch.status, dispatch.recipients_count, dispatch.accepted_count) == (
        DispatchStatus.sent,
        1,
        1,
    )


def test_an_api_patch_of_the_status_reaches_the_subscriber(hook_app, hook_server):
    api, secret = _two_subscribers(hook_server)
    admin = create_user(email="ada@example.com", role="admin")
    with unit_of_work():
        _key, token = create_api_key("deploys", scope="lead", actor=admin)
    response = hook_app.test_client().patch(
        f"/api/v1/pages/crier/components/{api.public_id}",
        json={"component": {"status": "degraded_performance"}},
        headers={"Authorization": f"OAuth {token}"},
    )
    assert response.status_code == 200, response.json
    [hit] = _sent(hook_server, "/api")
    assert verify(secret, hit.headers[SIGNATURE_HEADER], hit.raw)
    update = hit.json["component_update"]
    assert (update["old_status"], update["new_status"]) == ("operational", "degraded_performance")
    assert _sent(hook_server, "/web") == []


def test_the_change_commits_or_rolls_back_with_the_status(hook_app, hook_server):
    api, _secret = _two_subscribers(hook_server)
    record_status(api, ComponentStatus.partial_outage, at=utcnow())
    db.session.rollback()
    assert _changes() == [] and api.status == ComponentStatus.operational
    assert db.session.scalar(db.select(db.func.count()).select_from(Dispatch)) == 0
    # Committed, and the worker died before enqueueing: the sweep finds it and delivers it.
    record_status(api, ComponentStatus.partial_outage, at=utcnow())
    with dies_right_after_commit():
        db.session.commit()
    [change] = _changes()
    assert (change.old_status, change.new_status) == ("operational", "partial_outage")
    later = utcnow() + timedelta(hours=1)
    [dispatch_id] = dispatch_service.sweep_dispatches(now=later)
    dispatch_service.run_dispatch(dispatch_id)
    [hit] = _sent(hook_server, "/api")
    assert hit.json["component_update"]["new_status"] == "partial_outage"


def test_a_change_inside_an_update_or_of_a_hidden_component_is_no_component_update(
    hook_app, hook_server
):
    api, _secret = _two_subscribers(hook_server)
    hidden = create_component(slug="db", name="Database", is_public=False, position=2)
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/all")
    lead = create_user()
    with unit_of_work():
        post_update(
            create_incident(components=[api]),
            UpdateDraft(
                external_body="The API is down.", component_statuses={api.public_id: "major_outage"}
            ),
            state="identified",
            actor=lead,
        )
    assert api.status == ComponentStatus.major_outage
    with unit_of_work():
        change_component_status(hidden, status="major_outage", actor=lead)
    assert _changes() == []
    assert [h for h in hook_server.hits if "component_update" in (h.json or {})] == []


def test_an_automatic_alertmanager_alert_sends_each_status_it_sets(hook_app, hook_server):
    from tests.alerts.test_alertmanager_endpoint import alert, notification

    api, secret = _two_subscribers(hook_server)
    api.alert_mode = "automatic"
    db.session.commit()
    admin = create_user(email="ada@example.com", role="admin")
    with unit_of_work():
        _key, token = create_api_key("alertmanager", scope="lead", actor=admin)
    client, headers = hook_app.test_client(), {"Authorization": f"OAuth {token}"}
    for status in ("firing", "resolved"):
        body = notification(alert("w1", status, severity="warning"))
        assert client.post("/api/v1/alertmanager", json=body, headers=headers).status_code == 200
    hits = _sent(hook_server, "/api")
    assert all(verify(secret, h.headers[SIGNATURE_HEADER], h.raw) for h in hits)
    moves = [(h.json["component_update"]["old_status"], h.json["component_update"]["new_status"])
             for h in hits]  # fmt: skip
    assert moves == [
        ("operational", "degraded_performance"),
        ("degraded_performance", "operational"),
    ]
    assert _sent(hook_server, "/web") == []
