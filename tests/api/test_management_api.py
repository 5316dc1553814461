"""/api/v1: Statuspage's management API paths, bodies and objects over Crier's verbs."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, Component, Incident, State, Subscriber
from app.sqltypes import utcnow
from tests.factories import create_component

PAGE = "/api/v1/pages/crier"
# Every field the Statuspage v1 objects carry (its OpenAPI document).
COMPONENT_FIELDS = set(
    [
        "id",
        "page_id",
        "group_id",
        "created_at",
        "updated_at",
        "group",
        "name",
        "description",
        "position",
        "status",
        "showcase",
        "only_show_if_degraded",
        "automation_email",
        "start_date",
    ]
)
INCIDENT_FIELDS = set(
    [
        "id",
        "components",
        "created_at",
        "impact",
        "impact_override",
        "incident_updates",
        "metadata",
        "monitoring_at",
        "name",
        "page_id",
        "postmortem_body",
        "postmortem_body_last_updated_at",
        "postmortem_ignored",
        "postmortem_notified_subscribers",
        "postmortem_notified_twitter",
        "postmortem_published_at",
        "resolved_at",
        "scheduled_auto_completed",
        "scheduled_auto_in_progress",
        "scheduled_for",
        "auto_transition_deliver_notifications_at_end",
        "auto_transition_deliver_notifications_at_start",
        "auto_transition_to_maintenance_state",
        "auto_transition_to_operational_state",
        "scheduled_remind_prior",
        "scheduled_reminded_at",
        "scheduled_until",
        "shortlink",
        "status",
        "updated_at",
    ]
)
UPDATE_FIELDS = set(
    [
        "id",
        "incident_id",
        "affected_components",
        "body",
        "created_at",
        "custom_tweet",
        "deliver_notifications",
        "display_at",
        "status",
        "tweet_id",
        "twitter_updated_at",
        "updated_at",
        "wants_twitter_update",
    ]
)
SUBSCRIBER_FIELDS = set(
    [
        "id",
        "skip_confirmation_notification",
        "mode",
        "email",
        "endpoint",
        "phone_number",
        "phone_country",
        "display_phone_number",
        "obfuscated_channel_name",
        "workspace_name",
        "quarantined_at",
        "purge_at",
        "components",
        "page_access_user_id",
        "created_at",
    ]
)


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _declare(client, headers, **fields):
    incident = {"name": "Checkout errors", "body": "We are looking into it."} | fields
    response = client.post(f"{PAGE}/incidents", json={"incident": incident}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_components_list_get_create_update_delete(client, admin_key, lead_key):
    api = create_component()
    listed = client.get(f"{PAGE}/components", headers=lead_key).json
    assert [c["id"] for c in listed] == [api.public_id]
    assert set(listed[0]) >= COMPONENT_FIELDS
    assert client.get(f"{PAGE}/components/{api.public_id}", headers=lead_key).json["name"] == "API"
    created = client.post(
        f"{PAGE}/components",
        json={
            "component": {
                "name": "Search",
                "description": "Finding things",
                "status": "degraded_performance",
            }
        },
        headers=admin_key,
    )
    assert created.status_code == 201
    assert created.json["status"] == "degraded_performance"
    search = created.json["id"]
    patched = client.patch(
        f"{PAGE}/components/{search}",
        json={"component": {"status": "operational"}},
        headers=lead_key,
    )
    assert patched.status_code == 200 and patched.json["status"] == "operational"
    renamed = client.put(
        f"{PAGE}/components/{search}", json={"component": {"name": "Find"}}, headers=lead_key
    )
    assert renamed.status_code == 403
    renamed = client.put(
        f"{PAGE}/components/{search}", json={"component": {"name": "Find"}}, headers=admin_key
    )
    assert renamed.json["name"] == "Find" and renamed.json["description"] == "Finding things"
    assert client.delete(f"{PAGE}/components/{search}", headers=lead_key).status_code == 403
    assert client.delete(f"{PAGE}/components/{search}", headers=admin_key).status_code == 204
    assert _count(Component) == 1
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"component.create", "component.status", "component.edit", "component.delete"} <= actions


def test_component_groups_list_and_get(client, lead_key):
    api = create_component(group="Core")
    groups = client.get(f"{PAGE}/component-groups", headers=lead_key).json
    assert [g["name"] for g in groups] == ["Core"] and groups[0]["components"] == [api.public_id]
    one = client.get(f"{PAGE}/component-groups/{groups[0]['id']}", headers=lead_key)
    assert one.json["name"] == "Core"
    missing = client.get(f"{PAGE}/component-groups/{'9' * 25}", headers=lead_key)
    assert missing.status_code == 404 and "error" in missing.json


def test_component_groups_are_created_regrouped_renamed_and_deleted(client, admin_key, lead_key):
    api, web = create_component(), create_component(slug="web", name="Website")
    url = f"{PAGE}/component-groups"
    body = {"component_group": {"name": "Core", "components": [api.public_id]}}
    assert client.post(url, json=body, headers=lead_key).status_code == 403
    made = client.post(url, json=body, headers=admin_key)
    assert made.status_code == 201 and made.json["components"] == [api.public_id]
    group = f"{url}/{made.json['id']}"
    moved = client.patch(
        group,
        json={"component_group": {"name": "Edge", "components": [web.public_id]}},
        headers=admin_key,
    ).json
    assert moved["name"] == "Edge" and moved["components"] == [web.public_id]
    assert db.session.get(Component, api.id).group_id is None
    bad = {"component_group": {"components": [web.public_id, "nope"]}}
    assert client.put(group, json=bad, headers=admin_key).status_code == 422
    assert client.delete(group, headers=admin_key).status_code == 204
    assert db.session.get(Component, web.id).group_id is None
    assert client.get(group, headers=admin_key).status_code == 404


def test_an_incident_is_declared_updated_and_resolved(client, lead_key, outbox):
    api = create_component()
    created = _declare(
        client,
        lead_key,
        components={api.public_id: "major_outage"},
        impact_override="major",
        severity="SEV2",
    )
    assert set(created) >= INCIDENT_FIELDS and set(created["incident_updates"][0]) >= UPDATE_FIELDS
    assert created["status"] == "investigating" and created["impact"] == "major"
    assert created["severity"] == "SEV2" and created["components"][0]["status"] == "major_outage"
    assert created["created_at"].endswith("Z") and len(created["created_at"]) == 24
    url = f"{PAGE}/incidents/{created['id']}"
    changed = client.patch(
        url, json={"incident": {"status": "identified", "body": "A bad deploy."}}, headers=lead_key
    ).json
    assert changed["status"] == "identified" and len(changed["incident_updates"]) == 2
    assert changed["incident_updates"][0]["body"] == "A bad deploy."
    done = client.put(url, json={"incident": {"status": "resolved"}}, headers=lead_key).json
    assert done["status"] == "resolved" and done["resolved_at"]
    assert done["components"][0]["status"] == "operational"
    assert done["incident_updates"][0]["body"]  # the resolution template wrote the text
    assert client.get(url, headers=lead_key).json["status"] == "resolved"


def test_a_shared_component_keeps_what_the_other_open_incident_holds(client, lead_key):
    api = create_component()
    first = _declare(
        client, lead_key, name="Payments slow", components={api.public_id: "partial_outage"}
    )
    second = _declare(
        client, lead_key, name="Login errors", components={api.public_id: "degraded_performance"}
    )
    done = client.patch(
        f"{PAGE}/incidents/{second['id']}",
        json={"incident": {"status": "resolved"}},
        headers=lead_key,
    )
    assert done.status_code == 200
    assert db.session.get(Component, api.id).status == "partial_outage"  # the first holds it
    direct = client.patch(
        f"{PAGE}/components/{api.public_id}",
        json={"component": {"status": "operational"}},
        headers=lead_key,
    )
    assert direct.status_code == 422
    assert "held by “Payments slow”" in direct.json["error"]
    client.patch(
        f"{PAGE}/incidents/{first['id']}",
        json={"incident": {"status": "resolved"}},
        headers=lead_key,
    )
    assert db.session.get(Component, api.id).status == "operational"


def test_an_update_text_is_corrected_without_notifying(client, lead_key):
    created = _declare(client, lead_key)
    update = created["incident_updates"][0]
    url = f"{PAGE}/incidents/{created['id']}/incident_updates/{update['id']}"
    fixed = client.patch(
        url, json={"incident_update": {"body": "We are looking into it!"}}, headers=lead_key
    )
    assert fixed.status_code == 200 and fixed.json["body"] == "We are looking into it!"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="update.correct"))
    assert event.detail == {"before": "We are looking into it."}
    wrong = client.patch(
        f"{PAGE}/incidents/{created['id']}/incident_updates/nope",
        json={"incident_update": {"body": "x"}},
        headers=lead_key,
    )
    assert wrong.status_code == 404


def test_lists_search_and_page(client, lead_key):
    for title in ("Checkout errors", "Login slow", "Checkout slow"):
        _declare(client, lead_key, name=title)
    found = client.get(f"{PAGE}/incidents?q=checkout&limit=1&page=2", headers=lead_key).json
    assert [i["name"] for i in found] == ["Checkout errors"]
    assert len(client.get(f"{PAGE}/incidents/unresolved", headers=lead_key).json) == 3
    for bad in ("limit=0", "limit=x", "page=-1", "limit=" + "9" * 25):
        assert client.get(f"{PAGE}/incidents?{bad}", headers=lead_key).status_code == 400


def test_maintenance_is_scheduled_listed_and_cancelled(client, lead_key, admin_key):
    api = create_component()
    start = utcnow() + timedelta(hours=2)
    window = {
        "name": "Database upgrade",
        "status": "scheduled",
        "scheduled_for": start.isoformat().replace("+00:00", "Z"),
        "scheduled_until": (start + timedelta(hours=1)).isoformat(),
        "component_ids": [api.public_id],
        "scheduled_auto_in_progress": True,
        "auto_transition_deliver_notifications_at_start": True,
        "auto_tweet_at_beginning": True,
    }
    created = client.post(f"{PAGE}/incidents", json={"incident": window}, headers=lead_key)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["impact"] == "maintenance" and body["status"] == "scheduled"
    assert body["auto_transition_deliver_notifications_at_start"] is True
    for path in ("upcoming", "scheduled"):
        listed = client.get(f"{PAGE}/incidents/{path}", headers=lead_key).json
        assert [i["id"] for i in listed] == [body["id"]]
    assert client.get(f"{PAGE}/incidents/active_maintenance", headers=lead_key).json == []
    started = client.patch(
        f"{PAGE}/incidents/{body['id']}",
        json={"incident": {"status": "in_progress"}},
        headers=lead_key,
    )
    assert started.json["status"] == "in_progress"
    assert started.json["components"][0]["status"] == "under_maintenance"
    active = client.get(f"{PAGE}/incidents/active_maintenance", headers=lead_key).json
    assert [i["id"] for i in active] == [body["id"]]
    assert client.delete(f"{PAGE}/incidents/{body['id']}", headers=lead_key).status_code == 403
    gone = client.delete(f"{PAGE}/incidents/{body['id']}", headers=admin_key)
    assert gone.status_code == 200 and gone.json["status"] == "completed"
    assert db.session.scalar(db.select(Incident.state)) == State.cancelled
    assert db.session.get(Component, api.id).status == "operational"


def test_an_incident_is_never_deleted(client, lead_key, admin_key):
    created = _declare(client, lead_key)
    response = client.delete(f"{PAGE}/incidents/{created['id']}", headers=admin_key)
    assert response.status_code == 409 and "resolve" in response.json["error"]
    assert _count(Incident) == 1


def test_subscribers_double_opt_in_skip_and_unsubscribe(client, lead_key, admin_key, outbox):
    api = create_component()
    made = client.post(
        f"{PAGE}/subscribers",
        headers=lead_key,
        json={"subscriber": {"email": "Ann@Example.org", "component_ids": [api.public_id]}},
    )
    assert made.status_code == 201 and set(made.json) >= SUBSCRIBER_FIELDS
    assert made.json["state"] == "pending" and made.json["components"] == [api.public_id]
    assert [m["To"] for m in outbox] == ["ann@example.org"]
    skip = {"subscriber": {"email": "bob@example.org", "skip_confirmation_notification": True}}
    assert client.post(f"{PAGE}/subscribers", json=skip, headers=lead_key).status_code == 403
    vouched = client.post(f"{PAGE}/subscribers", json=skip, headers=admin_key).json
    assert vouched["state"] == "active" and len(outbox) == 1
    assert client.get(f"{PAGE}/subscribers", headers=lead_key).status_code == 403
    active = client.get(f"{PAGE}/subscribers", headers=admin_key).json
    assert [s["email"] for s in active] == ["bob@example.org"]
    everyone = client.get(f"{PAGE}/subscribers?state=all", headers=admin_key).json
    assert len(everyone) == 2
    left = client.post(
        f"{PAGE}/subscribers/unsubscribe", json={"subscribers": [vouched["id"]]}, headers=admin_key
    )
    assert left.json == {"unsubscribed": [vouched["id"]]}
    gone = client.delete(f"{PAGE}/subscribers/{made.json['id']}", headers=admin_key)
    assert gone.json["state"] == "unsubscribed"
    assert (
        db.session.scalar(db.select(db.func.count()).where(Subscriber.unsubscribed_at.is_not(None)))
        == 2
    )


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("get", "/api/v1/pages/" + "9" * 25, None, 404),
        ("get", f"{PAGE}/incidents/{'9' * 25}", None, 404),
        ("get", f"{PAGE}/components/{'x' * 5000}", None, 404),
        ("post", f"{PAGE}/incidents", [1, 2], 400),
        ("post", f"{PAGE}/incidents", {"incident": "x"}, 400),
        ("post", f"{PAGE}/incidents", {"incident": {"name": 5}}, 400),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "components": ["a"]}}, 400),
        (
            "post",
            f"{PAGE}/incidents",
            {"incident": {"name": "x", "components": {"nope": "major_outage"}}},
            422,
        ),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "status": "resolved"}}, 422),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "scheduled_for": "soon"}}, 400),
        (
            "post",
            f"{PAGE}/incidents",
            {
                "incident": {
                    "name": "x",
                    "scheduled_for": "0001-01-01T00:00:00+14:00",
                    "scheduled_until": "9999-12-31T23:59:59-14:00",
                }
            },
            400,
        ),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "\x00\x1b", "body": "b"}}, 422),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "body": "y" * 30_000}}, 400),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "deliver_notifications": 3}}, 400),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "severity": "SEV9"}}, 400),
        ("post", f"{PAGE}/components", {"component": {"name": "x", "status": "sideways"}}, 400),
        ("post", f"{PAGE}/subscribers", {"subscriber": {"email": "not an address"}}, 422),
        ("post", f"{PAGE}/subscribers/unsubscribe", {"subscribers": [1]}, 400),
    ],
)
def test_bad_input_is_a_json_4xx_and_changes_nothing(
    client, admin_key, method, path, payload, status
):
    response = getattr(client, method)(path, json=payload, headers=admin_key)
    assert response.status_code == status, response.json
    assert isinstance(response.json["error"], str)
    assert _count(Incident) == 0 and _count(Subscriber) == 0


def test_a_huge_body_is_413(client, admin_key):
    response = client.post(
        f"{PAGE}/incidents",
        data="x" * (2 * 1024 * 1024),
        headers=admin_key,
        content_type="application/json",
    )
    assert response.status_code == 413 and "error" in response.json


def test_the_v2_documents_stay_public(client, admin_key):
    _declare(client, admin_key)
    summary = client.get("/api/v2/summary.json")
    assert summary.status_code == 200 and summary.json["incidents"][0]["name"] == "Checkout errors"


def test_deeply_nested_json_is_a_400_not_a_crash(client, admin_key):
    for path in (f"{PAGE}/incidents", f"{PAGE}/subscribers/unsubscribe", f"{PAGE}/subscribers"):
        response = client.post(path, data="[" * 200_000, headers=admin_key,
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400 and "nested" in response.json["error"]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", f"{PAGE}/components/a%00b", None),
        ("get", f"{PAGE}/component-groups/a%00b", None),
        ("get", f"{PAGE}/incidents/a%00b", None),
        (
            "post",
            f"{PAGE}/incidents",
            {"incident": {"name": "x", "components": {"a\x00": "major_outage"}}},
        ),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "component_ids": ["a\x00"]}}),
        ("post", f"{PAGE}/incidents", {"incident": {"name": "x", "lead_email": "a\x00@x.org"}}),
        ("post", f"{PAGE}/components", {"component": {"name": "x", "group_id": "a\x00"}}),
        (
            "post",
            f"{PAGE}/subscribers",
            {"subscriber": {"email": "a@x.org", "component_ids": ["\x00"]}},
        ),
    ],
)
def test_a_nul_in_an_id_names_nothing(client, admin_key, method, path, payload):
    # PostgreSQL refuses NUL in text: such an id must never reach a query (the schema's id
    # pattern refuses it in a body, 400; in a path it names nothing, 404).
    response = getattr(client, method)(path, json=payload, headers=admin_key)
    assert response.status_code in (400, 404, 422) and "error" in response.json
    assert _count(Incident) == 0 and _count(Subscriber) == 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"components": {"nope": "major_outage"}}, 422),
        ({"components": {"COMPONENT": "sideways"}}, 400),
        ({"body": "<script>alert(1)</script>"}, 422),
        ({"status": "identified", "internal_body": "x" * 25_000}, 400),
    ],
)
def test_a_bad_update_leaves_the_incident_unedited(client, lead_key, change, status):
    api = create_component()
    created = _declare(client, lead_key)
    change = {
        k: ({api.public_id: "sideways"} if v == {"COMPONENT": "sideways"} else v)
        for k, v in change.items()
    }
    response = client.patch(
        f"{PAGE}/incidents/{created['id']}",
        json={"incident": {"name": "Renamed", **change}},
        headers=lead_key,
    )
    assert response.status_code == status, response.json
    incident = db.session.scalar(db.select(Incident))
    db.session.refresh(incident)
    assert incident.title == "Checkout errors" and len(incident.updates) == 1
