"""Any process dies right after its commit: every write verb, from every edge, leaves its
outbox rows in the transaction it commits, so the sweeps publish the change and send its
notifications although nothing that was to follow the commit ever ran."""

import json
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app import tasks
from app.core.api_keys import create_api_key
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.dispatch import sweep_dispatches
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident, resolve_incident
from app.incidents.maintenance import advance_maintenance, schedule_maintenance
from app.messages.seed import seed_default_templates
from app.models import Component, PublishedArtifact, Setting
from app.models.settings import DEFAULT_CADENCE
from app.publishing.publish import publish_site
from app.sqltypes import utcnow
from tests.conftest import csrf_token, login
from tests.crash import dies_right_after_commit
from tests.factories import PASSWORD, create_component, create_subscriber, create_user


@dataclass
class Write:
    """One write through one edge: where its change shows, and whether subscribers hear."""

    name: str
    do: object  # (world) -> None: performs the write
    path: object  # (world) -> the published path that shows it
    shows: object  # text the path shows once published, or a test of its body
    notifies: bool = False
    console: bool = False
    fresh: bool = False  # on an empty page (the demo seeder)


def _post(w, url, *, form=None, **fields):
    # The form's token is read before the crash window (a POST-only route: from ``form``).
    data = {"csrf_token": csrf_token(w.client, form or url), **fields}
    with dies_right_after_commit():
        response = w.client.post(url, data=data)
        pytest.fail(f"{url} answered {response.status_code} without committing")


def _api(w, method, url, json):
    with dies_right_after_commit():
        response = w.client.open(url, method=method, json=json, headers=w.key)
        pytest.fail(f"{url} answered {response.status_code} without committing")


def _local(at):
    return at.strftime("%Y-%m-%dT%H:%M")


def declare(w):
    _post(w, "/admin/incidents/new", title="Crash-declared outage", severity="SEV2",
          state="investigating", lead=str(w.lead.id), external_body="Declared, then died.",
          notify="y", is_public="y")  # fmt: skip


def post_update(w):
    url = f"/admin/incidents/{w.incident}/updates/new"
    _post(w, url, state="identified", external_body="Found it, then died.", notify="y")


def resolve(w):
    url = f"/admin/incidents/{w.incident}/resolve"
    _post(w, url, external_body="Resolved, then died.", notify="y")


def postmortem(w):
    url = f"/admin/incidents/{w.resolved}/postmortem"
    _post(
        w,
        url,
        external_body="Postmortem, then died.",
        postmortem_url="https://example.com/pm",
        notify="y",
    )


def edit_incident(w):
    url = f"/admin/incidents/{w.incident}/edit"
    _post(w, url, title="Renamed, then died", severity="SEV2", impact="major",
          lead=str(w.lead.id))  # fmt: skip


def component_status(w):
    url = f"/admin/components/{w.web}/status"
    _post(w, url, form="/admin/components", status="major_outage")


def create_component_(w):
    _post(w, "/admin/components/new", form="/admin/components", name="Crash Component",
          slug="crash", is_public="y")  # fmt: skip


def settings(w):
    _post(w, "/admin/settings", page_name="Died Status", timezone="UTC",
          brand_color="#123456", warning_lead_minutes="5", **w.cadence)  # fmt: skip


def schedule(w):
    start = utcnow() + timedelta(days=2)
    _post(w, "/admin/maintenance/new", title="Crash-scheduled upgrade",
          scheduled_for=_local(start), scheduled_until=_local(start + timedelta(hours=1)),
          components=[w.api], external_body="Upgrade, then died.", notify="y")  # fmt: skip


def start_window(w):
    url = f"/admin/maintenance/{w.window}/start"
    _post(w, url, external_body="Started, then died.", notify="y")


def api_create(w):
    _api(w, "POST", "/api/v1/pages/crier/incidents",
         {"incident": {"name": "API-declared outage", "body": "Opened by a script, then died.",
                       "status": "investigating"}})  # fmt: skip


def api_update(w):
    _api(w, "PATCH", f"/api/v1/pages/crier/incidents/{w.incident}",
         {"incident": {"status": "identified", "body": "Scripted update, then died."}})  # fmt: skip


def api_correct(w):
    _api(w, "PATCH",
         f"/api/v1/pages/crier/incidents/{w.incident}/incident_updates/{w.first_update}",
         {"incident_update": {"body": "Corrected text, then died."}})  # fmt: skip


def api_component(w):
    _api(w, "PATCH", f"/api/v1/pages/crier/components/{w.web}",
         {"component": {"status": "partial_outage"}})  # fmt: skip


def alertmanager(w):
    alert = {
        "status": "firing",
        "labels": {"alertname": "HighLatency", "component": "web", "severity": "warning"},
        "annotations": {"summary": "slow"},
        "startsAt": "2026-11-30T10:42:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "crash-1",
    }
    body = {"version": "4", "groupKey": "g", "status": "firing", "receiver": "crier",
            "alerts": [alert]}  # fmt: skip
    _api(w, "POST", "/api/v1/alertmanager", body)


def maintenance_tick(w):
    with dies_right_after_commit():
        advance_maintenance(now=utcnow() + timedelta(days=1, minutes=1))


def seed_demo(w):
    with dies_right_after_commit():
        result = w.runner.invoke(args=["seed-demo", "--past-incidents", "1"])
        pytest.fail(f"seed-demo ended without committing: {result.output}")


def _page(w):
    return f"/incidents/{w.incident}"


def COMPONENTS(w):
    return "/api/v2/components.json"


def web_is(status):
    def test(body):
        components = json.loads(body or "{}").get("components", [])
        return any(c["name"] == "Web" and c["status"] == status for c in components)

    return test


def shown(write, body) -> bool:
    return write.shows(body) if callable(write.shows) else write.shows in body


WRITES = [
    Write("console declare", declare, lambda w: "/", "Crash-declared outage", True, True),
    Write("console update", post_update, _page, "Found it, then died.", True, True),
    Write("console resolve", resolve, _page, "Resolved, then died.", True, True),
    Write(
        "console postmortem",
        postmortem,
        lambda w: f"/incidents/{w.resolved}",
        "Postmortem, then died.",
        True,
        True,
    ),
    Write("console edit", edit_incident, _page, "Renamed, then died", console=True),
    Write("console status", component_status, COMPONENTS, web_is("major_outage"), console=True),
    Write("console component", create_component_, lambda w: "/", "Crash Component", console=True),
    Write("console settings", settings, lambda w: "/", "Died Status", console=True),
    Write("console maintenance", schedule, lambda w: "/", "Crash-scheduled upgrade", True, True),
    Write(
        "console start",
        start_window,
        lambda w: f"/incidents/{w.window}",
        "Started, then died.",
        True,
        True,
    ),
    Write("api declare", api_create, lambda w: "/", "API-declared outage", True),
    Write("api update", api_update, _page, "Scripted update, then died.", True),
    Write("api correction", api_correct, _page, "Corrected text, then died."),
    Write("api component", api_component, COMPONENTS, web_is("partial_outage")),
    Write("alertmanager", alertmanager, COMPONENTS, web_is("degraded_performance")),
    Write("maintenance tick", maintenance_tick, lambda w: f"/incidents/{w.window}", "In progress"),
    Write("cli seed-demo", seed_demo, lambda w: "/", "Acme Cloud Status", fresh=True),
]


def published(path: str) -> str:
    body = db.session.scalar(db.select(PublishedArtifact.body).filter_by(path=path))
    return (body or b"").decode()


@pytest.fixture
def world(app, client, runner, ctx, request):
    write = request.param
    w = SimpleNamespace(client=client, runner=runner)
    if write.fresh:
        publish_site()
        return write, w
    seed_default_templates()
    db.session.add(Setting(page_name="Acme Status", timezone="UTC"))
    db.session.commit()
    admin = create_user(email="admin@example.com", name="Ada Admin", role="admin")
    w.lead = admin
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Web", position=1)
    web.alert_mode = "automatic"
    create_subscriber(email="reader@example.com")
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(
                component_statuses={api.public_id: "partial_outage"},
                external_body="Looking into it.",
            ),
            title="Open outage",
            actor=admin,
            severity="SEV2",
        )
        old = declare_incident(UpdateDraft(external_body="Down."), title="Old outage", actor=admin)
        resolve_incident(old, UpdateDraft(external_body="Fixed."), actor=admin)
        soon = utcnow() + timedelta(days=1)
        window = schedule_maintenance(
            UpdateDraft(external_body="Planned."),
            title="Planned work",
            scheduled_for=soon,
            scheduled_until=soon + timedelta(hours=2),
            actor=admin,
            components=[api.public_id],
        )
        _key, secret = create_api_key("crash script", scope="admin", actor=admin)
    w.incident, w.resolved, w.window = incident.public_id, old.public_id, window.public_id
    w.first_update = incident.updates[0].public_id
    w.api, w.web = api.public_id, web.public_id
    w.key = {"Authorization": f"OAuth {secret}"}
    # The script has used its key before: the crash falls on the write's own commit.
    assert client.get("/api/v1/pages/crier/components", headers=w.key).status_code == 200
    w.cadence = {
        f"cadence-SEV{level}-{state.value}": str(minutes)
        for state, row in DEFAULT_CADENCE.items()
        for level, minutes in enumerate(row, start=1)
    }
    publish_site()
    from app.email import get_backend

    get_backend().outbox.clear()
    if write.console:
        assert login(client, admin.email, PASSWORD).status_code == 302
    return write, w


@pytest.mark.parametrize("world", WRITES, ids=[w.name for w in WRITES], indirect=True)
def test_a_crash_right_after_any_commit_still_publishes_and_notifies(world):
    from app.email import get_backend

    write, w = world
    write.do(w)
    db.session.close()
    path = write.path(w)
    assert not shown(write, published(path)), "published before the crash: nothing to prove"
    # A living worker's sweeps: what waits in the outboxes is published and sent.
    tasks.sweep_publishing.call_local()
    for dispatch_id in sweep_dispatches(now=utcnow() + timedelta(hours=1)):
        tasks.run_dispatch(dispatch_id)
    assert shown(write, published(path))
    if write.notifies:
        texts = [m.get_body(("plain",)).get_content() for m in get_backend().outbox]
        assert any("died" in text.lower() for text in texts), texts
    assert db.session.scalar(db.select(db.func.count(Component.id)))
