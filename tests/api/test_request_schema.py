"""Request bodies are checked against the request bodies /api/v1/openapi.json publishes: a
body off the schema is a 400 naming the field, whatever the schema accepts goes on to the
verbs (whose refusals are 422s), and times arrive as UTC."""

from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from app.api.v1.schema_bodies import BODIES
from app.extensions import db
from app.models import Incident
from app.sqltypes import utcnow
from tests.factories import create_component

PAGE = "/api/v1/pages/crier"


def _post(client, headers, incident):
    return client.post(f"{PAGE}/incidents", json={"incident": incident}, headers=headers)


def test_a_body_off_the_schema_is_a_400_naming_the_field(client, lead_key):
    response = _post(client, lead_key, {"name": "Checkout errors", "status": "frobbed"})
    assert response.status_code == 400
    assert response.json["error"].startswith(
        "incident.status: 'frobbed' is not one of ['investigating', 'identified', "
    )
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"incident": {"name": 5}}, "incident.name: 5 is not of type 'string'."),
        ({"incident": {"name": "x", "deliver_notifications": "true"}},
         "incident.deliver_notifications: 'true' is not of type 'boolean'."),
        ({"incident": {"name": "x" * 1001}},
         "incident.name: 1001 characters, more than the 1000 allowed."),
        ({"incident": {"name": "x", "component_ids": ["api"] * 1001}},
         "incident.component_ids: 1001 items, more than the 1000 allowed."),
        ({"incident": {"name": "x", "components": {"Big API": "major_outage"}}},
         'incident.components: "Big API" is not a Crier id (1 to 40 lower-case letters and '
         "digits)."),
        ({"incident": {"name": "x", "components": {"api": "sideways"}}},
         "incident.components.api: 'sideways' is not one of ['operational', "
         "'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']."),
        ({"incident": {"name": "x", "scheduled_for": "soon"}},
         'incident.scheduled_for: "soon" is not a time with its offset (RFC 3339) between 1970 '
         "and 2999, like 2026-11-30T10:00:00Z."),
        ({"incident": {"name": "x", "lead_email": "a" * 250 + "@x.org"}},
         "incident.lead_email: 256 characters, more than the 254 allowed."),
        ({"incident": {"name": "x", "metadata": "x"}},
         "incident.metadata: 'x' is not of type 'object'."),
        ({"name": "x"}, 'Send a JSON object like {"incident": {…}}: '
         "'incident' is a required property."),
        ([], 'Send a JSON object like {"incident": {…}}: [] is not of type \'object\'.'),
    ],
)  # fmt: skip
def test_the_error_says_which_field_and_what_is_wrong(client, lead_key, body, error):
    response = client.post(f"{PAGE}/incidents", json=body, headers=lead_key)
    assert (response.status_code, response.json) == (400, {"error": error})


def test_a_body_that_is_not_json_is_a_400(client, lead_key):
    response = client.post(f"{PAGE}/incidents", data="name=x", headers=lead_key)
    assert response.status_code == 400
    assert response.json["error"] == 'Send a JSON object like {"incident": {…}}.'


def _served_validators(client) -> dict:
    """A validator per request body, built from the document as a client reads it."""
    document = client.get("/api/v1/openapi.json").json
    registry = Registry().with_resource("urn:served", DRAFT202012.create_resource(document))
    schema = "urn:served#/components/requestBodies/{}/content/application~1json/schema"
    return {
        name: Draft202012Validator(
            {"$ref": schema.format(name)}, registry=registry, format_checker=FormatChecker()
        )
        for name in document["components"]["requestBodies"]
    }


SAMPLES = [
    ("post", "/incidents", {"incident": {"name": "Slow", "status": "identified"}}),
    ("post", "/incidents", {"incident": {"name": "Slow", "status": "sideways"}}),
    ("post", "/incidents", {"incident": {"name": "Slow", "impact_override": "huge"}}),
    ("post", "/incidents", {"incident": {"name": "Slow", "is_public": 0}}),
    ("post", "/incidents", {"incident": {"name": "Slow", "auto_tweet_on_creation": True,
                                         "backfilled": False, "metadata": {"a": 1}, "x": 1}}),
    ("post", "/incidents", {"incident": {"name": "Slow", "next_update_by": "tomorrow"}}),
    ("post", "/components", {"component": {"name": "Search", "group_id": None}}),
    ("post", "/components", {"component": {"name": "Search", "start_date": "2026-02-30"}}),
    ("post", "/components", {"component": {"name": "Search", "showcase": "yes"}}),
    ("post", "/component-groups", {"component_group": {"name": "Core", "components": []}}),
    ("post", "/component-groups", {"component_group": {"name": ["Core"]}}),
    ("post", "/subscribers", {"subscriber": {"email": "ann@example.org"}}),
    ("post", "/subscribers", {"subscriber": {"component_ids": []}}),
    ("post", "/subscribers/unsubscribe", {"subscribers": []}),
    ("post", "/subscribers/unsubscribe", {"subscribers": " , "}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), SAMPLES)
def test_the_server_refuses_exactly_what_the_published_schema_refuses(
    client, admin_key, method, path, body
):
    validators = _served_validators(client)
    (wrapper,) = body
    published_ok = validators[wrapper].is_valid(body)
    response = getattr(client, method)(f"{PAGE}{path}", json=body, headers=admin_key)
    assert (response.status_code != 400) == published_ok, response.json


def test_every_write_names_its_request_body_in_the_document(client):
    document = client.get("/api/v1/openapi.json").json
    assert set(document["components"]["requestBodies"]) == set(BODIES)
    named = {
        op["requestBody"]["$ref"].rsplit("/", 1)[1]
        for item in document["paths"].values()
        for op in item.values()
        if "requestBody" in op
    }
    assert named == set(BODIES)


def _at(days: int, hour: int, offset: str) -> str:
    day = (utcnow() + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00{offset}"


def test_times_with_offsets_arrive_as_utc(client, lead_key):
    create_component()
    response = _post(
        client,
        lead_key,
        {"name": "Upgrade", "scheduled_for": _at(2, 12, "+02:00"),
         "scheduled_until": _at(2, 11, "z").replace("T", "t")},
    )  # fmt: skip
    assert response.status_code == 201, response.json
    day = (utcnow() + timedelta(days=2)).date()
    assert response.json["scheduled_for"] == f"{day.isoformat()}T10:00:00.000Z"
    assert response.json["scheduled_until"] == f"{day.isoformat()}T11:00:00.000Z"
    window = db.session.scalar(db.select(Incident))
    assert window.scheduled_for.replace(tzinfo=UTC) == datetime.combine(
        day, datetime.min.time(), UTC
    ) + timedelta(hours=10)


@pytest.mark.parametrize(
    "when",
    [
        "2026-11-30 10:00:00Z",  # ISO 8601 allows the space, RFC 3339's date-time does not
        "2026-11-30T10:00:00",  # no offset
        "20261130T100000Z",  # ISO 8601's basic format
        "2026-02-30T10:00:00Z",  # no such day
        "1970-01-01T00:30:00+01:00",  # 1969 in UTC
        "3000-01-01T00:00:00Z",
    ],
)
def test_a_time_off_rfc_3339_or_out_of_range_is_a_400(client, lead_key, when):
    response = _post(client, lead_key, {"name": "Upgrade", "scheduled_for": when})
    assert response.status_code == 400
    assert response.json["error"].startswith("incident.scheduled_for: ")
