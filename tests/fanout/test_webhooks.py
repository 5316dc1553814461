import hashlib
import hmac

import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.hooks import subscribe_webhook, unsubscribe_hook
from app.fanout.webhooks import SIGNATURE_HEADER
from app.models import (
    Channel,
    DeliveryStatus,
    Dispatch,
    DispatchStatus,
    HookDelivery,
    HookSubscriber,
)
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, post_update


def hook_dispatch(update):
    db.session.expire_all()
    return db.session.scalar(db.select(Dispatch).filter_by(update=update, channel=Channel.webhook))


def verify(secret, header, raw):
    """What a subscriber does (docs/integrations.md): recompute the HMAC."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + raw, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def test_a_webhook_is_confirmed_when_it_echoes_the_challenge_token(hook_app, hook_server):
    with unit_of_work():
        sub, secret = subscribe_webhook(hook_server.url + "/hook")
    challenge = hook_server.hits[0].json
    assert challenge["type"] == "subscription.verification" and challenge["token"]
    assert sub.confirmed_at is not None and secret.startswith("whsec_")


def test_an_endpoint_that_does_not_echo_is_not_subscribed(hook_app, hook_server):
    hook_server.echo = False
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/hook")
    assert len(hook_server.hits) == 1  # the challenge, after the commit
    assert db.session.scalar(db.select(db.func.count()).select_from(HookSubscriber)) == 0


def test_a_delivery_is_statuspage_shaped_and_signed(hook_app, hook_server):
    with unit_of_work():
        _sub, secret = subscribe_webhook(hook_server.url + "/hook")
    api = create_component(slug="api", name="API")
    update = post_update(create_incident(components=[api]), external="We are on it & <b>ok</b>.")
    hit = hook_server.hits[-1]
    assert verify(secret, hit.headers[SIGNATURE_HEADER], hit.raw)
    assert not verify("whsec_wrong", hit.headers[SIGNATURE_HEADER], hit.raw)
    body = hit.json
    assert set(body) == {"meta", "page", "incident"}
    assert body["meta"]["unsubscribe"].startswith("http://status.example.test/hooks/unsubscribe/")
    # The documentation link is a page Crier serves (not a 404 in every delivery).
    documentation = body["meta"]["documentation"]
    assert documentation.startswith("http://status.example.test/")
    with hook_app.test_client() as client:
        assert (
            client.get(documentation.removeprefix("http://status.example.test")).status_code == 200
        )
    assert set(body["page"]) == {"id", "status_indicator", "status_description"}
    incident = body["incident"]
    assert incident["id"] == update.incident.public_id
    assert incident["incident_updates"][0]["body"] == "We are on it & <b>ok</b>."
    assert incident["components"][0]["name"] == "API"
    d = hook_dispatch(update)
    assert (d.status, d.recipients_count, d.accepted_count) == (DispatchStatus.sent, 1, 1)
    # Unsubscribed: the next update has no webhook dispatch at all.
    with unit_of_work():
        unsubscribe_hook(body["meta"]["unsubscribe"].rsplit("/", 1)[1])
    assert hook_dispatch(post_update(update.incident, external="Still on it.")) is None


def test_a_503_is_retried_then_delivered_and_others_are_not_held_back(hook_app, hook_server):
    from tests.servers import HookServer

    other = HookServer().start()
    try:
        with unit_of_work():
            subscribe_webhook(hook_server.url + "/slow")
        with unit_of_work():
            subscribe_webhook(other.url + "/fine")
        hook_server.answer(503, times=2)
        update = post_update(create_incident(), external="Investigating.")
    finally:
        other.stop()
    assert [h.status for h in hook_server.hits[1:]] == [503, 503, 200]
    assert [h.status for h in other.hits[1:]] == [200]
    d = hook_dispatch(update)
    assert (d.status, d.accepted_count, d.failed_count) == (DispatchStatus.sent, 2, 0)
    attempts = sorted(db.session.scalars(db.select(HookDelivery.attempts)))
    assert attempts == [1, 3]


def test_a_subscriber_is_disabled_after_repeated_failures(hook_app, hook_server):
    with unit_of_work():
        sub, _ = subscribe_webhook(hook_server.url + "/hook")
    incident = create_incident()
    hook_server.answer(500, times=4)  # first update: 1 try + 3 retries, all fail
    first = post_update(incident, external="One.")
    assert hook_dispatch(first).failed_count == 1
    db.session.refresh(sub)
    assert sub.failures == 1 and sub.disabled_at is None
    hook_server.answer(410)  # a 4xx other than 429 is not retried
    second = post_update(incident, external="Two.")
    delivery = db.session.scalar(
        db.select(HookDelivery).filter_by(dispatch_id=hook_dispatch(second).id)
    )
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.failed, 1)
    db.session.refresh(sub)
    assert sub.disabled_at is not None and "410" in sub.disabled_reason
    assert hook_dispatch(post_update(incident, external="Three.")) is None


def test_a_subscriber_never_reaches_a_private_network_even_when_the_page_allows_it(
    hook_app, hook_server
):
    """The page's setting is for the receivers an admin adds; an anonymous endpoint on
    127.0.0.1 is refused at the form, at the challenge and at delivery, in public words."""
    from app.core.settings import page_settings
    from app.fanout.hooks import run_challenge

    hook_app.config["HOOK_SUBSCRIBERS_ALLOW_PRIVATE"] = False
    assert page_settings().allow_private_outbound is True
    for url in (hook_server.url, "https://localhost/x", "https://[::ffff:127.0.0.1]/"):
        with pytest.raises(ServiceError, match="not allowed") as refused, unit_of_work():
            subscribe_webhook(url.replace("http://", "https://") + "/hook")
        assert "127.0.0.1" not in refused.value.message and "loopback" not in refused.value.message
    # Rows stored before (or a name that resolves to loopback): refused when they connect.
    name = HookSubscriber(kind=Channel.webhook, url=hook_server.url + "/hook", token_hash="n" * 32)
    db.session.add(name)
    db.session.commit()
    assert run_challenge(name.id) == "The endpoint is not allowed."
    assert db.session.get(HookSubscriber, name.id) is None  # nothing kept
    stored = HookSubscriber(kind=Channel.webhook, url=hook_server.url + "/hook",
                            token_hash="s" * 32, confirmed_at=utcnow())  # fmt: skip
    db.session.add(stored)
    db.session.commit()
    d = hook_dispatch(post_update(create_incident(), external="Down."))
    assert d.status == DispatchStatus.failed and "loopback" in d.last_error  # for the admin
    assert hook_server.hits == []


def test_a_challenge_that_fails_says_only_could_not_be_reached(hook_app):
    from app.fanout.hooks import run_challenge
    from tests.livestack import free_port

    closed = HookSubscriber(kind=Channel.webhook, url=f"http://127.0.0.1:{free_port()}/",
                            token_hash="c" * 32)  # fmt: skip
    db.session.add(closed)
    db.session.commit()
    assert run_challenge(closed.id) == "The endpoint could not be reached."


def test_a_redirect_is_not_followed_and_the_endpoint_is_not_kept(hook_app, hook_server):
    hook_server.answer(302, headers={"Location": "http://127.0.0.1:1/"})
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/hook")
    assert len(hook_server.hits) == 1
    assert db.session.scalar(db.select(HookSubscriber)) is None


def test_a_delivery_waiting_for_its_retry_is_dropped_once_the_subscriber_leaves(
    hook_app, hook_server
):
    from app.fanout.dispatch import run_dispatch
    from app.fanout.hooks import hook_token

    with unit_of_work():
        sub, _ = subscribe_webhook(hook_server.url + "/hook")
    update = post_update(create_incident(), external="One.")
    d = hook_dispatch(update)
    # As if the worker died while the delivery waited for a retry, then the subscriber left.
    db.session.execute(db.update(HookDelivery).values(status=DeliveryStatus.pending))
    db.session.execute(db.update(Dispatch).where(Dispatch.id == d.id).values(status="pending"))
    db.session.commit()
    with unit_of_work():
        unsubscribe_hook(hook_token(sub))
    hits = len(hook_server.hits)
    run_dispatch(d.id)
    assert len(hook_server.hits) == hits
    delivery = db.session.scalar(db.select(HookDelivery))
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.failed, "no longer subscribed")
