"""schemathesis against /api/v1/openapi.json, in process through the WSGI app with a valid
admin key: every documented operation, a few generated requests each (fixed seed), no 5xx,
and every answer's status, content type and body as the document promises."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.maintenance import schedule_maintenance
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_subscriber, post_update

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app, client, key_admin):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    api = create_component(slug="api", name="API", group="Core")
    create_component(slug="web", name="Website", position=1)
    incident = create_incident(title="Elevated errors", components=[api])
    post_update(incident, external="We are **investigating**.")
    start = utcnow() + timedelta(days=1)
    with unit_of_work():
        schedule_maintenance(
            title="Upgrade",
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=1),
            actor=key_admin,
            components=[api.public_id],
        )
    create_subscriber(email="reader@example.org")
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_the_document_is_valid_openapi_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json)


def test_the_management_api_keeps_its_openapi_promises(api_schema, admin_key):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 24, [op.label for op in operations]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=admin_key, checks=CHECKS)

        check()


def test_the_alertmanager_receiver_is_documented_unwrapped(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/alertmanager"]["post"]
    name = operation["requestBody"]["$ref"].rsplit("/", 1)[1]
    body = document["components"]["requestBodies"][name]["content"]["application/json"]["schema"]
    assert {"version", "groupKey", "alerts"} <= set(body["required"])  # Alertmanager's own body
    assert {"200", "400", "401", "403", "413", "503"} <= set(operation["responses"])
    outcome = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(outcome["required"]) == {
        "changed",
        "unchanged",
        "unknown_components",
        "ignored",
        "errors",
    }
