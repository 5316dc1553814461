import pytest

from app.core.uow import unit_of_work
from app.fanout.dispatch import run_dispatch, sweep_dispatches
from app.fanout.stakeholders import create_group
from app.models import Audience, Dispatch, DispatchStatus, IncidentKind, Severity
from tests.factories import (
    create_component,
    create_incident,
    create_subscriber,
    create_subscribers,
    post_update,
)


def dispatches(update):
    from app.extensions import db

    db.session.expire_all()
    return {d.audience: d for d in db.session.scalars(db.select(Dispatch).filter_by(update=update))}


def test_2500_recipients_go_in_three_requests_one_personalization_each(
    sendgrid_app, sendgrid_server
):
    create_subscribers(2500)
    update = post_update(create_incident(), external="Payments are failing.")
    assert [len(r.body["personalizations"]) for r in sendgrid_server.requests] == [1000, 1000, 500]
    delivered = sendgrid_server.delivered_to()
    assert len(delivered) == len(set(delivered)) == 2500
    first = sendgrid_server.requests[0]
    assert first.headers["Authorization"] == "Bearer SG.test-key"
    p = first.body["personalizations"][0]
    assert len(p["to"]) == 1 and "cc" not in p and "bcc" not in p
    assert p["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert p["headers"]["List-Unsubscribe"].startswith("<http://status.example.test/u/")
    assert first.body["headers"]["List-Id"].endswith("<updates.status.example.test>")
    d = dispatches(update)[Audience.external]
    assert first.body["custom_args"] == {"dispatch_id": str(d.id)}
    assert "categories" not in first.body
    assert (d.status, d.recipients_count, d.accepted_count) == (DispatchStatus.sent, 2500, 2500)


def test_component_subscribers_get_incidents_and_maintenance_of_their_components(
    sendgrid_app, sendgrid_server
):
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Dashboard")
    create_subscriber(email="all@example.com")
    create_subscriber(email="api@example.com", components=[api])
    create_subscriber(email="web@example.com", components=[web])
    create_subscriber(email="both@example.com", components=[api, web])
    post_update(create_incident(components=[api]))
    assert sorted(sendgrid_server.delivered_to()) == [
        "all@example.com",
        "api@example.com",
        "both@example.com",
    ]
    sendgrid_server.requests.clear()
    maintenance = create_incident(
        title="Database upgrade", kind=IncidentKind.maintenance, state="scheduled", components=[web]
    )
    post_update(maintenance, external="We will upgrade the database.")
    assert sorted(sendgrid_server.delivered_to()) == [
        "all@example.com",
        "both@example.com",
        "web@example.com",
    ]


def test_unconfirmed_unsubscribed_and_suppressed_are_never_mailed(sendgrid_app, sendgrid_server):
    create_subscriber(email="ok@example.com")
    create_subscriber(email="pending@example.com", confirmed=False)
    create_subscriber(email="gone@example.com", unsubscribed=True)
    create_subscriber(email="bounced@example.com", suppressed="bounce")
    post_update(create_incident())
    assert sendgrid_server.delivered_to() == ["ok@example.com"]


def test_nothing_is_sent_for_non_public_incidents_or_when_notify_is_unticked(
    sendgrid_app, sendgrid_server
):
    create_subscriber()
    hidden = post_update(create_incident(is_public=False))
    quiet = post_update(create_incident(title="Quiet"), notify=False)
    assert sendgrid_server.requests == []
    assert dispatches(hidden) == {} and dispatches(quiet) == {}


def test_internal_text_goes_only_to_stakeholders_and_external_only_to_subscribers(
    sendgrid_app, sendgrid_server
):
    create_subscriber(email="customer@example.com")
    with unit_of_work():
        create_group(name="Execs", emails="ceo@corp.example, cto@corp.example", min_severity="SEV2")
    with unit_of_work():
        create_group(
            name="Support", emails="cto@corp.example support@corp.example", min_severity="SEV1"
        )
    with unit_of_work():
        create_group(name="Sales", emails="sales@corp.example", min_severity="SEV1")
    incident = create_incident(severity=Severity.SEV2)
    post_update(incident, external="PUBLIC-TEXT-1", internal="INTERNAL-TEXT-2 db failover")
    by_to = {}
    for r in sendgrid_server.accepted:
        for p in r.body["personalizations"]:
            by_to[p["to"][0]["email"]] = r.body
    assert sorted(by_to) == ["ceo@corp.example", "cto@corp.example", "customer@example.com"]
    external = by_to["customer@example.com"]["content"]
    internal = by_to["cto@corp.example"]["content"]
    assert all("PUBLIC-TEXT-1" in c["value"] for c in external)
    assert not any("INTERNAL-TEXT-2" in c["value"] for c in external)
    assert all("INTERNAL-TEXT-2" in c["value"] for c in internal)
    assert not any("PUBLIC-TEXT-1" in c["value"] for c in internal)
    assert "headers" not in by_to["cto@corp.example"]["personalizations"][0]


def test_429_is_retried_after_the_providers_wait_then_succeeds(sendgrid_app, sendgrid_server):
    create_subscribers(3)
    sendgrid_server.answer(429, headers={"Retry-After": "0"}, message="too many requests")
    sendgrid_server.answer(500, message="internal error")
    update = post_update(create_incident())
    assert [r.status for r in sendgrid_server.requests] == [429, 500, 202]
    d = dispatches(update)[Audience.external]
    assert (d.status, d.accepted_count, d.last_error) == (DispatchStatus.sent, 3, None)


@pytest.mark.parametrize("status", [400, 401, 403])
def test_permanent_errors_fail_the_dispatch_loudly_with_the_providers_message(
    sendgrid_app, sendgrid_server, status, caplog
):
    create_subscribers(3)
    message = "The provided authorization grant is invalid, expired, or revoked"
    sendgrid_server.answer(status, message=message)
    update = post_update(create_incident())
    assert len(sendgrid_server.requests) == 1
    d = dispatches(update)[Audience.external]
    assert d.status == DispatchStatus.failed
    assert d.last_error == f"SendGrid answered {status}: {message}"
    assert "FAILED" in caplog.text and "SG.test-key" not in caplog.text
    assert sweep_dispatches() == []


def test_retries_exhausted_leave_the_dispatch_pending_for_the_sweep(sendgrid_app, sendgrid_server):
    sendgrid_app.config["DISPATCH_RETRIES"] = 1
    create_subscribers(2)
    sendgrid_server.answer(503, times=2)
    update = post_update(create_incident())
    d = dispatches(update)[Audience.external]
    assert d.status == DispatchStatus.pending and "503" in d.last_error
    assert run_dispatch(d.id).status == DispatchStatus.sent
    assert len(sendgrid_server.delivered_to()) == 2


def test_retry_after_is_waited_before_the_next_try(sendgrid_app, sendgrid_server):
    import time

    create_subscribers(1)
    sendgrid_server.answer(429, headers={"Retry-After": "1"})
    started = time.monotonic()
    post_update(create_incident())
    assert time.monotonic() - started >= 1
    assert [r.status for r in sendgrid_server.requests] == [429, 202]


def test_a_dispatch_that_keeps_crashing_is_given_up_loudly(sendgrid_app, sendgrid_server):
    from app.extensions import db
    from app.models import Update
    from tests.factories import write_dispatches

    update = Update(incident=create_incident(), state="investigating", external_body="x")
    db.session.add(update)
    (dispatch,) = write_dispatches(update)
    dispatch.attempts = sendgrid_app.config["DISPATCH_MAX_RUNS"]
    db.session.commit()
    finished = run_dispatch(dispatch.id)
    assert finished.status == DispatchStatus.failed and "gave up" in finished.last_error
    assert sendgrid_server.requests == []
