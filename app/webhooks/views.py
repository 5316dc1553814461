import binascii
import json
import time

from flask import abort, current_app, jsonify, request
from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader

from app.core.uow import unit_of_work
from app.fanout.delivery_events import record_events
from app.ids import parse_int
from app.webhooks import bp

MAX_AGE_SECONDS = 300


def _verified_body() -> str:
    """The raw body, if SendGrid signed it within the last five minutes; else 403.

    The headers are checked before a byte of the body is read, and the body is read only up
    to MAX_CONTENT_LENGTH (a 413 past it), so an unsigned flood costs nothing.
    """
    key = current_app.config.get("SENDGRID_WEBHOOK_PUBLIC_KEY")
    signature = request.headers.get(EventWebhookHeader.SIGNATURE, "")
    timestamp = request.headers.get(EventWebhookHeader.TIMESTAMP, "")
    seconds = parse_int(timestamp, max=2**40)
    if not key or not signature or seconds is None:
        abort(403, description="Missing or unusable webhook signature.")
    if abs(time.time() - seconds) > MAX_AGE_SECONDS:
        abort(403, description="Webhook timestamp is too old.")
    body = request.get_data(as_text=True, parse_form_data=False)
    try:
        valid = EventWebhook(key).verify_signature(body, signature, timestamp)
    except (ValueError, binascii.Error):
        valid = False
    if not valid:
        abort(403, description="Webhook signature does not match.")
    return body


@bp.route("/webhooks/sendgrid", methods=["POST"])
def receive_sendgrid_events():
    """SendGrid's Event Webhook: verify, then record each new event once."""
    body = _verified_body()
    try:
        events = json.loads(body)
    except ValueError:
        abort(400, description="The body is not JSON.")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        abort(400, description="Expected a JSON list of events.")
    with unit_of_work():
        recorded = record_events(events)
    return jsonify({"received": len(events), "recorded": recorded})
