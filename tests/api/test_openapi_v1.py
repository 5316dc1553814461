"""schemathesis against /api/v1/openapi.json, with every check it has and every phase (the
examples, coverage, fuzzing and the stateful phase along the document's links), against the
test app served in process, with an admin key. Derandomized with a fixed seed and a fixed
number of examples, so a run is the same each time and takes about a minute."""

from datetime import timedelta

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.maintenance import schedule_maintenance
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_subscriber, post_update

# positive_data_acceptance: a body the document accepts must never be a 400 (the server
# checks against this very document), but 422 stays: the document says so on every write,
# for what only the verbs can judge (an id naming no component, a title the console
# refuses, a window that ends before it starts).
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
EXCLUDED = {
    # Needs two identities whose objects the other must not read; every key reads the
    # whole page here (one page, keys scoped lead or admin, not per owner).
    "object_level_authorization",
}
# use_after_free, off for reading an incident or a subscriber after its DELETE only: there
# DELETE means what Statuspage's does, cancel a maintenance window and unsubscribe an
# address, and the object stays readable (cancelled, unsubscribed) by design: the history is
# kept, and a subscriber's row keeps the address from being resubscribed by mistake.
# Likewise a page access group's components after a DELETE on them: Statuspage's DELETE there
# removes the components named in the body from the group, and the list stays (empty or not).
# Components and groups are deleted for real and keep the check.
KEPT_AFTER_DELETE = ["show_incident", "show_subscriber", "list_page_access_group_components"]


def _config(headers: dict) -> SchemathesisConfig:
    load_all_checks()
    checks = {name: {"enabled": name not in EXCLUDED} for name in CHECKS.get_all_names()}
    checks["positive_data_acceptance"] |= {"expected-statuses": POSITIVE}
    return SchemathesisConfig.from_dict(
        {
            "seed": 20261130,
            "workers": 1,
            "headers": headers,
            "suppress-health-check": ["all"],
            "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
            "checks": checks,
            "phases": {"stateful": {"max-steps": 10}},
            "operations": [
                {
                    "include-operation-id": KEPT_AFTER_DELETE,
                    "checks": {"use_after_free": {"enabled": False}},
                }
            ],
        }
    )


@pytest.fixture
def api_world(app, key_admin):
    """Something of each kind for the generated requests to find."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    app.config["API_AUTH_FAILURE_RATE_LIMIT"] = "100000 per minute"
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


def _failures(event) -> list[str]:
    recorder = getattr(event, "recorder", None)
    if recorder is None:
        return []
    found = []
    for checks in recorder.checks.values():
        for check in checks:
            if check.failure_info is not None:
                failure = check.failure_info.failure
                found.append(
                    f"{recorder.label}: {check.name}: {failure.title}\n{failure.message}\n"
                    f"{check.failure_info.code_sample}"
                )
    return found


def test_the_document_is_valid_openapi_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # hypothesis, on big bodies
def test_the_management_api_keeps_its_openapi_promises(api_world, admin_key, live_server, client):
    # Over HTTP (the test app on a local port, in this process): schemathesis's WSGI transport
    # passes its socket settings to Werkzeug when ignored_auth probes, and fails there.
    schema = schemathesis.openapi.from_url(
        f"{live_server}/api/v1/openapi.json", config=_config(admin_key)
    )
    failures, errors, phases, ran, stateful = [], [], {}, set(), None
    for event in from_schema(schema).execute():
        failures += _failures(event)
        ran |= _checks_run(event)
        if isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(f"{getattr(event, 'label', '')}: {getattr(event, 'info', event)}")
        if isinstance(event, events.PhaseStarted) and event.phase.name.value == "stateful":
            stateful = event.payload
        if isinstance(event, events.PhaseFinished):
            phases[event.phase.name.value] = event.status.value
    assert not errors, "\n\n".join(errors)
    assert not failures, "\n\n".join(dict.fromkeys(failures))
    assert set(phases.values()) == {"success"}, phases
    assert ran == set(CHECKS.get_all_names()) - EXCLUDED
    # The document's own links (beside those schemathesis infers from ids in the answers).
    served = client.get("/api/v1/openapi.json").json
    assert stateful.transitions_total - stateful.inferred_transitions == _links(served)


def _checks_run(event) -> set[str]:
    recorder = getattr(event, "recorder", None)
    return {c.name for checks in (recorder.checks.values() if recorder else ()) for c in checks}


def _links(document: dict) -> int:
    return sum(
        len(response.get("links", {}))
        for item in document["paths"].values()
        for operation in item.values()
        for response in operation["responses"].values()
    )


def test_every_operation_is_named_for_the_view_that_serves_it(app, client):
    """operationIds (which the links name) are the Flask views' names; a PUT served by the
    PATCH's ``update_*`` view is ``replace_*``."""
    document = client.get("/api/v1/openapi.json").json
    adapter = app.url_map.bind("localhost")
    for path, item in document["paths"].items():
        url = "/api/v1" + path.replace("{page_id}", "crier").replace("{", "").replace("}", "")
        for method, operation in item.items():
            endpoint, _ = adapter.match(url, method.upper())
            expected = operation["operationId"].replace("replace_", "update_", 1)
            assert endpoint == f"api.v1.{expected}", (method, path)


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
