import re
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.models import ComponentStatus, Impact
from app.publishing.publish import publish_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_settings

ENDPOINTS = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]
PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
    "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact",
    "shortlink", "started_at", "page_id", "incident_updates", "components",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


@pytest.fixture
def seeded(ctx):
    create_settings(page_name="Acme Status", timezone="America/New_York")
    api = create_component(slug="api", name="API", group="Core", status="partial_outage")
    create_component(slug="cdn", name="CDN", group="Core", position=1)
    create_component(slug="web", name="Website")
    open_ = create_incident(
        title="API errors", components=[api], impact=Impact.major, updates=[("Looking.", "x")]
    )
    create_incident(
        title="Old",
        state="resolved",
        started_minutes_ago=120,
        resolved_at=utcnow(),
        updates=[("Done.", "")],
    )
    now = utcnow()
    create_incident(
        title="Upgrade",
        kind="maintenance",
        state="scheduled",
        started_minutes_ago=-60,
        scheduled_for=now + timedelta(hours=1),
        scheduled_until=now + timedelta(hours=2),
        updates=[("Planned.", "")],
    )
    create_incident(
        title="Reboot",
        kind="maintenance",
        state="in_progress",
        scheduled_for=now - timedelta(minutes=10),
        scheduled_until=now + timedelta(hours=1),
        updates=[("Rebooting.", "")],
    )
    publish_site()
    return open_


def get(client, name):
    response = client.get(f"/api/v2/{name}")
    assert response.status_code == 200, name
    assert response.mimetype == "application/json"
    return response


def test_documents_have_statuspage_key_sets(client, seeded):
    summary = get(client, "summary.json").get_json()
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(summary["page"]) == PAGE_KEYS
    assert summary["page"]["time_zone"] == "America/New_York"
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    components = {c["name"]: c for c in summary["components"]}
    assert set(components["API"]) == COMPONENT_KEYS
    assert components["API"]["status"] == "partial_outage"
    group = components["Core"]
    assert set(group) == COMPONENT_KEYS | {"components"} and group["group"] is True
    assert group["components"] == [components["API"]["id"], components["CDN"]["id"]]
    assert components["API"]["group_id"] == group["id"]
    assert components["Website"]["group_id"] is None
    [incident] = summary["incidents"]
    assert set(incident) == INCIDENT_KEYS and incident["id"] == seeded.public_id
    assert incident["shortlink"] == f"http://status.example.test/incidents/{seeded.public_id}"
    assert set(incident["incident_updates"][0]) == UPDATE_KEYS
    assert incident["incident_updates"][0]["body"] == "Looking."
    assert [c["name"] for c in incident["components"]] == ["API"]
    names = {m["name"] for m in summary["scheduled_maintenances"]}
    assert names == {"Upgrade", "Reboot"}
    for maintenance in summary["scheduled_maintenances"]:
        assert set(maintenance) == INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}


def test_the_lists_hold_what_statuspage_puts_in_them(client, seeded):
    assert set(get(client, "status.json").get_json()) == {"page", "status"}
    components = get(client, "components.json").get_json()["components"]
    assert [c["name"] for c in components] == ["API", "CDN", "Website", "Core"]
    assert [i["name"] for i in get(client, "incidents.json").get_json()["incidents"]] == [
        "API errors",
        "Old",
    ]
    unresolved = get(client, "incidents/unresolved.json").get_json()["incidents"]
    assert [i["name"] for i in unresolved] == ["API errors"]
    upcoming = get(client, "scheduled-maintenances/upcoming.json").get_json()
    assert [m["name"] for m in upcoming["scheduled_maintenances"]] == ["Upgrade"]
    active = get(client, "scheduled-maintenances/active.json").get_json()
    assert [m["name"] for m in active["scheduled_maintenances"]] == ["Reboot"]
    everything = get(client, "scheduled-maintenances.json").get_json()
    assert len(everything["scheduled_maintenances"]) == 2


def _timestamps(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_at") or key in ("scheduled_for", "scheduled_until"):
                yield item
            else:
                yield from _timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _timestamps(item)


def test_timestamps_have_milliseconds_and_the_page_offset(client, seeded):
    stamps = [s for s in _timestamps(get(client, "summary.json").get_json()) if s is not None]
    assert len(stamps) > 10
    for stamp in stamps:
        assert TIMESTAMP.match(stamp), stamp
        assert stamp.endswith(("-05:00", "-04:00")), stamp


def test_every_response_allows_any_origin(client, seeded):
    for name in [*ENDPOINTS, "openapi.json", "no-such.json"]:
        assert client.get(f"/api/v2/{name}").headers["Access-Control-Allow-Origin"] == "*"


def test_the_management_api_allows_no_other_origin(client, seeded):
    """The v2 hook covers the v2 documents only: v1 takes keys, never a browser's cookie."""
    for url in ("/api/v1/openapi.json", "/api/v1/pages/crier/incidents"):
        response = client.get(url, headers={"Origin": "https://elsewhere.example"})
        assert response.status_code in (200, 401)
        assert "Access-Control-Allow-Origin" not in response.headers


def test_responses_match_the_openapi_document(client, seeded):
    spec = get(client, "openapi.json").get_json()
    validate(spec)
    assert {f"/{name}" for name in ENDPOINTS} == set(spec["paths"])
    for name in ENDPOINTS:
        operation = spec["paths"][f"/{name}"]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        errors = list(validator.iter_errors(get(client, name).get_json()))
        assert errors == [], f"{name}: {errors[0].message}"


def test_the_openapi_document_rejects_an_extra_key(client, seeded):
    spec = get(client, "openapi.json").get_json()
    schema = spec["paths"]["/status.json"]["get"]["responses"]["200"]["content"]
    validator = Draft202012Validator(
        {**schema["application/json"]["schema"], "components": spec["components"]}
    )
    document = get(client, "status.json").get_json()
    document["status"]["extra"] = 1
    assert not validator.is_valid(document)


def test_hidden_components_and_their_statuses_stay_out(client, ctx):
    create_component(slug="api", name="API")
    create_component(
        slug="batch", name="Batch", is_public=False, status=ComponentStatus.major_outage
    )
    publish_site()
    summary = get(client, "summary.json").get_json()
    assert [c["name"] for c in summary["components"]] == ["API"]
    assert summary["status"]["indicator"] == "none"


def test_updates_list_the_public_components_they_changed(client, ctx):
    from app.extensions import db
    from app.models import ComponentStatusChange

    api = create_component(slug="api", name="API")
    batch = create_component(slug="batch", name="Batch", is_public=False)
    incident = create_incident(title="API down", components=[api], updates=[("Down.", "")])
    update = incident.updates[0]
    earlier = update.posted_at - timedelta(days=1)
    db.session.add(ComponentStatusChange(component=api, status="operational", at=earlier))
    for component in (api, batch):
        db.session.add(
            ComponentStatusChange(
                component=component, status="major_outage", at=update.posted_at, update_id=update.id
            )
        )
    db.session.commit()
    publish_site()
    [document] = get(client, "incidents/unresolved.json").get_json()["incidents"]
    assert document["incident_updates"][0]["affected_components"] == [
        {
            "code": api.public_id,
            "name": "API",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
