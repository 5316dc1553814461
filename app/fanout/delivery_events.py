"""Provider events (SendGrid's Event Webhook): delivery numbers and suppressions."""

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.fanout.subscribers import suppress
from app.ids import parse_id
from app.models import DeliveryEvent, Dispatch
from app.sqltypes import utcnow

SUPPRESSING = {"bounce": "bounced", "dropped": "dropped", "spamreport": "marked as spam"}
COUNTERS = {"delivered": "delivered_count", "bounce": "bounced_count", "dropped": "failed_count"}


def _dispatch(event: dict) -> Dispatch | None:
    dispatch_pk = parse_id(event.get("dispatch_id"))
    return db.session.get(Dispatch, dispatch_pk) if dispatch_pk is not None else None


def _at(event: dict) -> datetime:
    try:
        return datetime.fromtimestamp(int(event["timestamp"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return utcnow()


def record_events(events: list[dict]) -> int:
    """Record new events once each (by sg_event_id), count them, suppress bad addresses."""
    recorded = 0
    for event in events:
        kind = str(event.get("event") or "")[:40]
        email = str(event.get("email") or "").strip().lower()[:254]
        event_id = event.get("sg_event_id")
        if not kind or not email or not event_id:
            continue
        dispatch = _dispatch(event)
        reason = str(event.get("reason") or event.get("response") or event.get("type") or "")
        try:
            with db.session.begin_nested():
                db.session.add(
                    DeliveryEvent(
                        dispatch_id=dispatch.id if dispatch else None,
                        email=email,
                        provider_id=str(event.get("sg_message_id") or "")[:200] or None,
                        provider_event_id=str(event_id)[:200],
                        event=kind,
                        reason=reason[:2000] or None,
                        at=_at(event),
                    )
                )
        except IntegrityError:
            continue  # a replay: SendGrid retries, we count once
        recorded += 1
        if dispatch is not None and kind in COUNTERS:
            column = getattr(Dispatch, COUNTERS[kind])
            db.session.execute(
                db.update(Dispatch).where(Dispatch.id == dispatch.id).values({column: column + 1})
            )
        if kind in SUPPRESSING:
            detail = f": {reason}" if reason else ""
            suppress(email, reason=f"{SUPPRESSING[kind]}{detail}")
    db.session.flush()
    return recorded
