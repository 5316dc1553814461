"""Webhook and Slack subscribers: subscribe (confirmed by a challenge), unsubscribe, disable.

Subscribing stores the endpoint unconfirmed and nothing more: no request leaves Crier inside
the visitor's web request. After the commit a task challenges it (``run_challenge``). A
webhook gets a verification payload carrying a one-time token and must echo the token in its
response body; it is confirmed then, and forgotten otherwise. A Slack incoming webhook cannot
echo: Crier posts a message with a confirmation link to the channel, and the subscription
starts when someone in the channel follows it and confirms.

These endpoints are typed by anonymous visitors: they never reach private networks, whatever
the page's "allow requests to private networks" setting says (that is for the receivers an
admin adds: stakeholder groups, reminder webhooks), and what they are told of a failure is
only "could not be reached" or "is not allowed".
"""

import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app

from app.core import ServiceError
from app.core.keys import sign, verify
from app.core.settings import clean_webhook_url, mail_from, page_settings
from app.core.uow import after_commit, unit_of_work
from app.email import send_one
from app.extensions import db
from app.fanout.subscribers import _components
from app.fanout.webhooks import docs_url
from app.models import Channel, HookSubscriber, Role, User
from app.outbound import OutboundError, address_problem, post_json
from app.signals import hook_challenge_requested, hook_subscriber_disabled
from app.slack import message, slack_url_problem
from app.sqltypes import utcnow

_SELECTOR_LEN = 32
CHALLENGE_TIMEOUT = 5.0
# Challenges wait on strangers' endpoints: they get a few threads of their own in each worker
# process, so a burst of them aimed at a slow receiver never holds the queue's threads (and
# the dispatches and emails behind them).
_CHALLENGERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hook-challenge")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _mac(selector: str) -> str:
    return sign(b"crier-hook:", selector)


def hook_token(sub: HookSubscriber) -> str:
    """The personal unsubscribe token (selector + HMAC: the table alone cannot forge one)."""
    return sub.token_hash + _mac(sub.token_hash)


def unsubscribe_url(sub: HookSubscriber) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/hooks/unsubscribe/{hook_token(sub)}"


def allow_private() -> bool:
    """Whether the receivers an admin added (stakeholder groups) may be on private networks."""
    return bool(page_settings().allow_private_outbound)


def subscribers_may_be_private() -> bool:
    """Whether anonymous subscribers' endpoints may be on private networks: never from the
    page's settings; only ``HOOK_SUBSCRIBERS_ALLOW_PRIVATE``, for a closed test rig."""
    return bool(current_app.config.get("HOOK_SUBSCRIBERS_ALLOW_PRIVATE", False))


_NOT_ALLOWED = "This URL is not allowed: give your endpoint's public https:// address."


def _public_url(url: str) -> str:
    """The URL, checked without a lookup: a literal private address is refused now (its
    name's addresses are checked when the task connects)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if subscribers_may_be_private():
        return url
    if (
        host == "localhost"
        or host.endswith(".localhost")
        or (address_problem(host) not in (None, "not an IP address"))
    ):
        raise ServiceError(_NOT_ALLOWED, field="url")
    return url


def _new(kind: Channel, url: str, component_ids) -> HookSubscriber:
    return HookSubscriber(
        kind=kind,
        url=url,
        token_hash=secrets.token_hex(_SELECTOR_LEN // 2),
        components=_components(component_ids),
    )


def subscribe_webhook(url: str, *, component_ids=()) -> tuple[HookSubscriber, str]:
    """Store the endpoint unconfirmed and ask for its challenge after the commit; (subscriber,
    signing secret). The secret is returned once, to show once."""
    try:
        url = clean_webhook_url(url, field="url", allow_http=subscribers_may_be_private())
    except ServiceError as exc:
        raise ServiceError(exc.message, field="url") from None
    if url is None:
        raise ServiceError("Give the URL of your endpoint.", field="url")
    sub = _new(Channel.webhook, _public_url(url), component_ids)
    sub.secret = "whsec_" + secrets.token_urlsafe(32)
    db.session.add(sub)
    db.session.flush()
    after_commit(hook_challenge_requested, subscriber_id=sub.id, token=None)
    return sub, sub.secret


def subscribe_slack(url: str, *, component_ids=()) -> HookSubscriber:
    """Store the channel unconfirmed; after the commit a task posts the confirmation link."""
    url = (url or "").strip()
    problem = slack_url_problem(url, any_host=subscribers_may_be_private())
    if problem:
        raise ServiceError(problem, field="url")
    url = clean_webhook_url(url, field="url", allow_http=subscribers_may_be_private())
    sub = _new(Channel.slack, _public_url(url), component_ids)
    token = secrets.token_urlsafe(32)
    sub.confirm_token_hash = _sha256(token)
    db.session.add(sub)
    db.session.flush()
    after_commit(hook_challenge_requested, subscriber_id=sub.id, token=token)
    return sub


def _challenge_payload(sub: HookSubscriber, token: str) -> dict:
    if sub.kind == Channel.webhook:
        return {
            "type": "subscription.verification",
            "token": token,
            "meta": {"documentation": docs_url()},
        }
    link = f"{current_app.config['PUBLIC_BASE_URL']}/hooks/confirm/{token}"
    return message(
        title=f"Confirm updates from {page_settings().page_name}",
        text="Someone asked to post this status page's updates in this channel. "
        "Follow the link and confirm to start; ignore this message otherwise.",
        facts=[],
        link=link,
        link_label="Confirm",
    )


def start_challenge(subscriber_id: int, token: str | None = None) -> None:
    """Hand the challenge to the challengers' threads and return at once (in the queue's
    immediate mode, as in tests, run it now)."""
    app = current_app._get_current_object()
    if app.config.get("HUEY_IMMEDIATE"):
        run_challenge(subscriber_id, token)
        return
    _CHALLENGERS.submit(_challenge_in, app, subscriber_id, token)


def _challenge_in(app, subscriber_id: int, token: str | None) -> None:
    with app.app_context():
        try:
            run_challenge(subscriber_id, token)
        except Exception:
            app.logger.exception("the challenge of hook subscriber %s failed", subscriber_id)
        finally:
            db.session.remove()


def run_challenge(subscriber_id: int, token: str | None = None) -> str | None:
    """The task's work: challenge a new webhook (confirm it if it echoes a fresh token, forget
    it otherwise) or post a Slack channel its confirmation link. The request runs outside any
    transaction, bounded by ``CHALLENGE_TIMEOUT``; the problem in public words, or None."""
    with unit_of_work():
        sub = db.session.get(HookSubscriber, subscriber_id)
        if sub is None or sub.confirmed_at is not None or sub.unsubscribed_at is not None:
            return None
        kind, url = sub.kind, sub.url
        token = token or secrets.token_urlsafe(24)
        payload = _challenge_payload(sub, token)
    problem = None
    try:
        response = post_json(url, payload, allow_private=subscribers_may_be_private(),
                             timeout=CHALLENGE_TIMEOUT)  # fmt: skip
    except OutboundError as exc:
        problem = f"The endpoint {exc.public_message}."
    else:
        echoed = kind == Channel.slack or token.encode() in response.body
        if not response.ok or not echoed:
            problem = "The endpoint did not confirm the subscription."
    with unit_of_work():
        sub = db.session.get(HookSubscriber, subscriber_id)
        if sub is None:
            return problem
        if problem is not None:
            current_app.logger.info("%r was not confirmed: %s", sub, problem)
            db.session.delete(sub)  # nothing is kept of an endpoint that did not answer
        elif kind == Channel.webhook:
            sub.confirmed_at = utcnow()
        db.session.flush()
    return problem


def confirm_slack(token: str) -> HookSubscriber:
    """Start the Slack subscription whose confirmation link this is."""
    sub = db.session.scalar(
        db.select(HookSubscriber).filter_by(confirm_token_hash=_sha256(token or ""))
    )
    if sub is None or utcnow() - sub.created_at > timedelta(days=7):
        raise ServiceError("This confirmation link is not valid. Subscribe again.")
    sub.confirmed_at = utcnow()
    sub.confirm_token_hash = None
    db.session.flush()
    return sub


def hook_for_token(token: str) -> HookSubscriber | None:
    """The subscriber an unsubscribe token belongs to, or None."""
    token = token or ""
    selector, mac = token[:_SELECTOR_LEN], token[_SELECTOR_LEN:]
    if not token.isascii() or len(selector) != _SELECTOR_LEN:
        return None
    if not verify(b"crier-hook:", selector, mac):
        return None
    return db.session.scalar(db.select(HookSubscriber).filter_by(token_hash=selector))


def unsubscribe_hook(token: str) -> HookSubscriber:
    """Stop deliveries to the token's endpoint; twice is harmless."""
    sub = hook_for_token(token)
    if sub is None:
        raise ServiceError("This link is not valid.")
    sub.unsubscribed_at = sub.unsubscribed_at or utcnow()
    db.session.flush()
    return sub


def record_result(sub: HookSubscriber, *, ok: bool, error: str | None = None) -> None:
    """After a delivery (retries spent): reset the failure run, or extend it and disable the
    subscriber after ``HOOK_DISABLE_AFTER`` failures over ``HOOK_DISABLE_MIN_SECONDS``. No
    commit: the caller's."""
    cfg = current_app.config
    now = utcnow()
    if ok:
        sub.failures, sub.first_failure_at = 0, None
        return
    sub.failures += 1
    sub.first_failure_at = sub.first_failure_at or now
    span = (now - sub.first_failure_at).total_seconds()
    if sub.failures >= cfg.get("HOOK_DISABLE_AFTER", 10) and span >= cfg.get(
        "HOOK_DISABLE_MIN_SECONDS", 86400
    ):
        sub.disabled_at = now
        sub.disabled_reason = f"{sub.failures} deliveries failed in a row; last: {error}"[:300]
        after_commit(hook_subscriber_disabled, subscriber_id=sub.id)


def tell_disabled(subscriber_id: int) -> int:
    """Email the page's admins that a webhook or Slack subscriber was disabled, and why; how
    many were told. Its owner subscribed anonymously (no address to write to), so the
    admins, who see it on the Subscribers page, are who can reach them."""
    sub = db.session.get(HookSubscriber, subscriber_id)
    if sub is None or sub.disabled_at is None:
        return 0
    admins = db.session.scalars(
        db.select(User.email).where(User.role == Role.admin, User.active.is_(True))
    ).all()
    name = page_settings().page_name
    subject = f"{name}: {sub.kind.value} subscriber {sub.host} disabled"
    text = (
        f"Crier stopped sending {name}'s updates to the {sub.kind.value} subscriber at "
        f"{sub.host}: {sub.disabled_reason}.\n\nA slow or dead receiver is tried on its "
        "own clock and never holds the others back; once it fails this often it gets no more "
        "updates. Its owner can subscribe it again on the public page once it answers.\n"
        f"\nSubscribers: {current_app.config['PUBLIC_BASE_URL']}/admin/subscribers\n"
    )
    for address in admins:
        send_one(sender=mail_from(), to=address, subject=subject, text=text)
    return len(admins)


def list_hook_subscribers() -> list[HookSubscriber]:
    """Every webhook and Slack subscriber, newest first, for the console."""
    query = db.select(HookSubscriber).order_by(HookSubscriber.id.desc())
    return list(db.session.scalars(query))
