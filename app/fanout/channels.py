"""Webhook and Slack dispatches: one HookDelivery per recipient, each tried on its own clock.

A delivery that meets a 429, a 5xx or a timeout is retried with backoff (``HOOK_RETRIES``
times) while the others go ahead; each request has one total deadline,
``HOOK_TIMEOUT_SECONDS``; a redirect, a refused address or another 4xx fails it at once.
Up to ``HOOK_CONCURRENCY`` requests of a dispatch are on the wire at once, each in a thread
that only talks HTTP (the database stays on the run's own thread), so a slow receiver holds
one slot for its deadline and never the others; the lease is renewed while they are out.
Every request goes through ``app.outbound`` (no redirects; private addresses only for the
receivers an admin added, when the admin allows them).
"""

import logging
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_

from app.extensions import db
from app.fanout.dispatch_log import log_dispatch
from app.fanout.hooks import (
    allow_private,
    record_result,
    subscribers_may_be_private,
    unsubscribe_url,
)
from app.fanout.reach import hook_subscribers
from app.fanout.sight import hook_clause, seen_by
from app.fanout.stakeholders import groups_for
from app.fanout.webhooks import (
    SIGNATURE_HEADER,
    component_payload,
    encode,
    sign,
    slack_payload,
    webhook_payload,
)
from app.models import (
    Audience,
    Channel,
    Component,
    DeliveryStatus,
    Dispatch,
    DispatchStatus,
    HookDelivery,
    HookSubscriber,
    Incident,
    StakeholderGroup,
    Update,
)
from app.outbound import OutboundError
from app.outbound.client import request
from app.sqltypes import utcnow

HOOK_CHANNELS = (Channel.webhook, Channel.slack)


def _subscribers(incident: Incident, kind: Channel):
    wanted = hook_subscribers([ic.component_id for ic in incident.components], kind)
    return wanted.where(hook_clause(seen_by(incident)))


def component_hook_subscribers(component: Component):
    """A select of the ids of the active webhook subscribers of ``component`` (or of all)."""
    return db.select(HookSubscriber.id).where(
        HookSubscriber.kind == Channel.webhook,
        HookSubscriber.confirmed_at.is_not(None),
        HookSubscriber.unsubscribed_at.is_(None),
        HookSubscriber.disabled_at.is_(None),
        or_(
            ~HookSubscriber.components.any(),
            HookSubscriber.components.any(Component.id == component.id),
        ),
    )


def _groups(incident: Incident) -> list[StakeholderGroup]:
    return [g for g in groups_for(incident) if g.slack_webhook_url]


def targets(update: Update, audience: Audience, channel: Channel) -> list[tuple]:
    """(subscriber id, group id) of everyone the dispatch reaches."""
    if audience == Audience.internal:
        return [(None, g.id) for g in _groups(update.incident)] if channel == Channel.slack else []
    return [(sid, None) for sid in db.session.scalars(_subscribers(update.incident, channel))]


def _recipients(dispatch: Dispatch) -> list[tuple]:
    """An update's targets, or the webhook subscribers of the changed component (if public)."""
    change = dispatch.component_change
    if change is None:
        return targets(dispatch.update, dispatch.audience, dispatch.channel)
    if not change.component.is_public:  # hidden since: its changes are not told
        return []
    return [(sid, None) for sid in db.session.scalars(component_hook_subscribers(change.component))]


def pending_change_dispatches() -> list[int]:
    """Ids of the component changes' dispatches waiting to run, for the caller to enqueue."""
    query = db.select(Dispatch.id).where(
        Dispatch.status == DispatchStatus.pending, Dispatch.component_change_id.is_not(None)
    )
    return list(db.session.scalars(query.order_by(Dispatch.id)))


def _backoff(attempts: int, asked: float | None = None) -> float:
    """Seconds before the next try: what the endpoint asked for (``Retry-After``), else our
    doubling backoff; never more than ``HOOK_MAX_BACKOFF_SECONDS`` (an endpoint asking for a
    day must not hold the dispatch for a day)."""
    cfg = current_app.config
    delay = cfg.get("HOOK_BACKOFF_SECONDS", 2.0) * 2 ** (attempts - 1) if asked is None else asked
    return min(delay, cfg.get("HOOK_MAX_BACKOFF_SECONDS", 60.0))


def _prepare(dispatch: Dispatch, delivery: HookDelivery) -> dict:
    """Everything one request needs, read from the database on the run's thread."""
    update = dispatch.update
    timeout = current_app.config.get("HOOK_TIMEOUT_SECONDS", 5.0)
    headers = {"Content-Type": "application/json", "User-Agent": "Crier-Webhook/1"}
    if delivery.group_id is not None:  # added by an admin: the page's setting decides
        private = allow_private()
        url = db.session.get(StakeholderGroup, delivery.group_id).slack_webhook_url
        body = encode(slack_payload(update, dispatch.audience))
    else:  # typed by an anonymous visitor: never a private network
        private = subscribers_may_be_private()
        sub = delivery.subscriber
        url = sub.url
        if sub.kind == Channel.slack:
            body = encode(slack_payload(update, dispatch.audience))
        elif dispatch.component_change is not None:
            body = encode(component_payload(dispatch.component_change, unsubscribe_url(sub)))
            headers[SIGNATURE_HEADER] = sign(sub.secret or "", body)
        else:
            body = encode(webhook_payload(update, unsubscribe_url(sub)))
            headers[SIGNATURE_HEADER] = sign(sub.secret or "", body)
    return {"url": url, "body": body, "headers": headers, "private": private, "timeout": timeout}


def _post(*, url, body, headers, private, timeout) -> tuple:
    """One request, no database: (ok, retryable, error, seconds the endpoint asked us to wait
    or None). Runs on a sender thread."""
    try:
        response = request("POST", url, body=body, headers=headers,
                           allow_private=private, timeout=timeout)  # fmt: skip
    except OutboundError as exc:
        return False, exc.retryable, exc.message, None
    if response.ok:
        return True, False, None, None
    retryable = response.status == 429 or response.status >= 500
    return False, retryable, f"the endpoint answered {response.status}", response.retry_after()


def _gone(delivery: HookDelivery) -> bool:
    """Fail (without a request) a delivery whose subscriber left or was disabled meanwhile."""
    sub = delivery.subscriber
    if sub is not None and not sub.is_active:
        delivery.status, delivery.last_error = DeliveryStatus.failed, "no longer subscribed"
        return True
    return False


def _record(dispatch: Dispatch, delivery: HookDelivery, result: tuple) -> None:
    ok, retryable, error, asked = result
    now = utcnow()
    delivery.attempts += 1
    delivery.last_error = error
    if ok:
        delivery.status, delivery.sent_at = DeliveryStatus.sent, now
    elif retryable and delivery.attempts <= current_app.config.get("HOOK_RETRIES", 5):
        delivery.next_attempt_at = now + timedelta(seconds=_backoff(delivery.attempts, asked))
        _log_failure(dispatch, delivery, "will retry", error)
        return
    else:
        delivery.status = DeliveryStatus.failed
        _log_failure(dispatch, delivery, "failed", error)
    if delivery.subscriber is not None:
        record_result(delivery.subscriber, ok=ok, error=error)


def _log_failure(dispatch: Dispatch, delivery: HookDelivery, verdict: str, error: str) -> None:
    # Never the URL: a Slack webhook's is its secret.
    log_dispatch(logging.WARNING, dispatch, "delivery %s %s: %s", delivery.id, verdict, error)


def _counts(dispatch: Dispatch) -> dict:
    rows = db.session.execute(
        db.select(HookDelivery.status, db.func.count())
        .filter_by(dispatch_id=dispatch.id)
        .group_by(HookDelivery.status)
    ).all()
    by = {DeliveryStatus(s): n for s, n in rows}
    return {
        "accepted_count": by.get(DeliveryStatus.sent, 0),
        "failed_count": by.get(DeliveryStatus.failed, 0),
    }


def outcome(dispatch: Dispatch) -> tuple[DispatchStatus, str | None, dict]:
    """How a finished dispatch ended: (status, error, counts). ``sent`` only when every
    delivery was delivered; else ``failed``, saying how many failed and the last reason."""
    counts = _counts(dispatch)
    failed = counts["failed_count"]
    if not failed:
        return DispatchStatus.sent, None, counts
    last = db.session.scalar(
        db.select(HookDelivery.last_error)
        .filter_by(dispatch_id=dispatch.id, status=DeliveryStatus.failed)
        .order_by(HookDelivery.id.desc())
        .limit(1)
    )
    total = failed + counts["accepted_count"]
    return DispatchStatus.failed, f"{failed} of {total} deliveries failed; last: {last}", counts


def retry_failed(dispatch: Dispatch) -> None:
    """Make the dispatch's failed deliveries due again, retries afresh (no commit: the
    caller's); those whose subscriber has gone since fail again without a request."""
    db.session.execute(
        db.update(HookDelivery)
        .where(
            HookDelivery.dispatch_id == dispatch.id, HookDelivery.status == DeliveryStatus.failed
        )
        .values(status=DeliveryStatus.pending, attempts=0, next_attempt_at=utcnow())
    )


def run_channel(dispatch: Dispatch, owner: str, *, check_in, wait, renew) -> tuple:
    """Deliver a webhook/Slack dispatch to every recipient, retrying each on its own clock,
    up to ``HOOK_CONCURRENCY`` at once; then its ``outcome``. ``check_in`` records values and
    renews the lease (raising when the run must stop); ``renew`` renews it while requests are
    out (raising only if it was lost: a stop waits for them); ``wait`` sleeps."""
    if not db.session.scalar(db.select(HookDelivery.id).filter_by(dispatch_id=dispatch.id)):
        found = _recipients(dispatch)
        for sub_id, group_id in found:
            db.session.add(
                HookDelivery(dispatch_id=dispatch.id, subscriber_id=sub_id, group_id=group_id)
            )
        db.session.commit()
        check_in(dispatch, owner, recipients_count=len(found))
    pending = db.select(HookDelivery.id, HookDelivery.next_attempt_at).filter_by(
        dispatch_id=dispatch.id, status=DeliveryStatus.pending
    )
    cfg = current_app.config
    slots = max(1, int(cfg.get("HOOK_CONCURRENCY", 8)))
    step = max(cfg["DISPATCH_LEASE_SECONDS"] / 3, 0.05)
    with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="hook-send") as senders:
        while True:
            waiting = db.session.execute(pending.order_by(HookDelivery.next_attempt_at)).all()
            if not waiting:
                return outcome(dispatch)
            now = utcnow()
            due = [delivery_id for delivery_id, at in waiting if at <= now]
            if not due:
                wait((waiting[0].next_attempt_at - now).total_seconds(), dispatch, owner)
                continue
            _deliver(dispatch, owner, due, senders, slots, step, check_in, renew)


def _deliver(dispatch, owner, due, senders, slots, step, check_in, renew) -> None:
    """Send the due deliveries, ``slots`` at a time: each result is recorded (one commit) as
    it comes and the next one starts in its slot; the lease is renewed every ``step`` s."""
    due = list(due)
    out: dict = {}  # future -> delivery id
    while due or out:
        while due and len(out) < slots:
            delivery = db.session.get(HookDelivery, due.pop(0))
            if _gone(delivery):
                check_in(dispatch, owner, in_flight=len(out), **_counts(dispatch))
                continue
            job = _prepare(dispatch, delivery)
            # Committed before the request: if this worker dies while it is on the wire, the
            # takeover counts it as a possible duplicate (``lease._TAKEOVER``). A stop request
            # is heard only while nothing is out.
            (renew if out else check_in)(dispatch, owner, in_flight=len(out) + 1)
            out[senders.submit(_post, **job)] = delivery.id
        done, _ = wait_for(out, timeout=step, return_when=FIRST_COMPLETED)
        if not done:
            renew(dispatch, owner)  # a slow receiver must not look like a dead worker
            continue
        for future in done:
            delivery = db.session.get(HookDelivery, out.pop(future))
            _record(dispatch, delivery, future.result())
            error = delivery.last_error
            # The delivery's result, the counts and what is still on the wire: one commit.
            renew(dispatch, owner, in_flight=len(out), last_error=error, **_counts(dispatch))
