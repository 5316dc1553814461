import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.extensions import db
from app.models import DeliveryEvent, Dispatch, Subscriber
from tests.factories import create_incident, create_subscriber, post_update, write_dispatches


@pytest.fixture
def signing_key(app):
    """A P-256 key pair; the app trusts its public half as SendGrid's."""
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = base64.b64encode(der).decode()
    return key


def signed_post(client, key, events, *, timestamp=None, tamper=False):
    body = json.dumps(events)
    timestamp = str(int(timestamp if timestamp is not None else time.time()))
    signature = key.sign((timestamp + body).encode(), ec.ECDSA(hashes.SHA256()))
    if tamper:
        body = body.replace("bounce", "delivered")
    return client.post(
        "/webhooks/sendgrid",
        data=body,
        content_type="application/json",
        headers={
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        },
    )


@pytest.fixture
def dispatch(ctx):
    create_subscriber(email="a@example.com")
    create_subscriber(email="b@example.com")
    update = post_update(create_incident())
    db.session.expire_all()
    return db.session.scalar(db.select(Dispatch).filter_by(update_id=update.id))


def event(kind, email, event_id, dispatch, **extra):
    return {
        "email": email,
        "event": kind,
        "sg_event_id": event_id,
        "sg_message_id": "msg.1",
        "timestamp": int(time.time()),
        "dispatch_id": str(dispatch.id),
        **extra,
    }


def reload(dispatch):
    db.session.expire_all()
    return db.session.get(Dispatch, dispatch.id)


def test_delivered_and_bounce_events_feed_the_numbers_and_suppress(client, signing_key, dispatch):
    events = [
        event("delivered", "a@example.com", "ev-1", dispatch),
        event("bounce", "b@example.com", "ev-2", dispatch, reason="550 5.1.1 no such user"),
    ]
    response = signed_post(client, signing_key, events)
    assert response.status_code == 200 and response.json == {"received": 2, "recorded": 2}
    d = reload(dispatch)
    assert (d.delivered_count, d.bounced_count) == (1, 1)
    bounced = db.session.scalar(db.select(Subscriber).filter_by(email="b@example.com"))
    assert bounced.suppressed_reason == "bounced: 550 5.1.1 no such user"
    assert not bounced.is_active


def test_a_replayed_event_is_ignored(client, signing_key, dispatch):
    events = [event("delivered", "a@example.com", "ev-1", dispatch)]
    signed_post(client, signing_key, events)
    again = signed_post(client, signing_key, events + events)
    assert again.status_code == 200 and again.json["recorded"] == 0
    assert reload(dispatch).delivered_count == 1
    assert db.session.scalar(db.select(db.func.count(DeliveryEvent.id))) == 1


def test_spam_reports_and_drops_suppress(client, signing_key, dispatch):
    signed_post(
        client,
        signing_key,
        [
            event("spamreport", "a@example.com", "ev-3", dispatch),
            event("dropped", "b@example.com", "ev-4", dispatch, reason="Bounced Address"),
        ],
    )
    reasons = dict(
        db.session.execute(db.select(Subscriber.email, Subscriber.suppressed_reason)).all()
    )
    assert reasons == {
        "a@example.com": "marked as spam",
        "b@example.com": "dropped: Bounced Address",
    }
    assert reload(dispatch).failed_count == 1


def test_bad_signature_is_refused_with_403(client, signing_key, dispatch):
    events = [event("bounce", "a@example.com", "ev-5", dispatch)]
    assert signed_post(client, signing_key, events, tamper=True).status_code == 403
    other_key = ec.generate_private_key(ec.SECP256R1())
    assert signed_post(client, other_key, events).status_code == 403
    unsigned = client.post("/webhooks/sendgrid", json=events)
    assert unsigned.status_code == 403 and unsigned.is_json
    assert db.session.scalar(db.select(db.func.count(DeliveryEvent.id))) == 0


def test_timestamps_older_than_five_minutes_are_refused(client, signing_key, dispatch):
    events = [event("delivered", "a@example.com", "ev-6", dispatch)]
    response = signed_post(client, signing_key, events, timestamp=time.time() - 301)
    assert response.status_code == 403
    assert reload(dispatch).delivered_count == 0


def test_without_a_configured_key_every_event_is_refused(client, app, ctx):
    key = ec.generate_private_key(ec.SECP256R1())
    app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = None
    assert signed_post(client, key, []).status_code == 403


def test_events_for_internal_addresses_are_recorded_without_a_subscriber(client, signing_key, ctx):
    from app.models import Update

    update = Update(incident=create_incident(), state="investigating", external_body="x")
    db.session.add(update)
    write_dispatches(update)
    ev = {"email": "ceo@corp.example", "event": "bounce", "sg_event_id": "ev-7", "timestamp": 1}
    assert signed_post(client, signing_key, [ev]).json["recorded"] == 1


def test_an_unsigned_body_is_refused_before_it_is_read(app, client, signing_key):
    # No signature headers: a 403 without reading (or parsing) the body at all.
    response = client.post("/webhooks/sendgrid", data=b"not json", content_type="text/plain")
    assert response.status_code == 403


@pytest.mark.parametrize("timestamp", ["²", "1" * 30, "-5", "\u0661\u0667" + "\u0660" * 8])
def test_a_timestamp_that_is_not_a_number_is_a_403(client, signing_key, timestamp):
    response = client.post(
        "/webhooks/sendgrid",
        data="[]",
        content_type="application/json",
        headers={
            "X-Twilio-Email-Event-Webhook-Signature": "c2ln",
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        },
    )
    assert response.status_code == 403 and "signature" in response.json["error"]["message"]


@pytest.mark.parametrize("dispatch_id", ["²", "9" * 25, -1, True])
def test_events_with_odd_dispatch_ids_are_recorded_without_one(
    client, signing_key, dispatch, dispatch_id
):
    item = event("delivered", "a@example.com", "ev-odd", dispatch, dispatch_id=dispatch_id)
    item["timestamp"] = 10**30
    response = signed_post(client, signing_key, [item])
    assert response.status_code == 200 and response.json["recorded"] == 1
