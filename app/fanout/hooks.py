"""Webhook and Slack subscribers: subscribe (confirmed by a challenge), unsubscribe, disable.

A webhook is confirmed at once: Crier POSTs a verification payload carrying a one-time token
and the endpoint must echo the token in its response body (nothing is stored otherwise). A
Slack incoming webhook cannot echo: Crier posts a message with a confirmation link to the
channel, and the subscription starts when someone in the channel follows it and confirms.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from app.core import ServiceError
from app.core.keys import sign, verify
from app.core.settings import clean_webhook_url, page_settings
from app.extensions import db
from app.fanout.subscribers import _components
from app.fanout.webhooks import docs_url
from app.models import Channel, HookSubscriber
from app.outbound import OutboundError, post_json
from app.slack import message, slack_url_problem
from app.sqltypes import utcnow

_SELECTOR_LEN = 32
CHALLENGE_TIMEOUT = 5.0


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
    return bool(page_settings().allow_private_outbound)


def _new(kind: Channel, url: str, component_ids) -> HookSubscriber:
    return HookSubscriber(
        kind=kind,
        url=url,
        token_hash=secrets.token_hex(_SELECTOR_LEN // 2),
        components=_components(component_ids),
    )


def subscribe_webhook(url: str, *, component_ids=()) -> tuple[HookSubscriber, str]:
    """Challenge the endpoint, then store it confirmed; (subscriber, signing secret). The
    secret is returned once, to show once."""
    url = clean_webhook_url(url, field="url")
    if url is None:
        raise ServiceError("Give the URL of your endpoint.", field="url")
    sub = _new(Channel.webhook, url, component_ids)
    token = secrets.token_urlsafe(24)
    challenge = {
        "type": "subscription.verification",
        "token": token,
        "meta": {"documentation": docs_url()},
    }
    try:
        response = post_json(url, challenge, allow_private=allow_private(),
                             timeout=CHALLENGE_TIMEOUT)  # fmt: skip
    except OutboundError as exc:
        raise ServiceError(f"Could not reach the endpoint: {exc.message}", field="url") from None
    if not response.ok or token.encode() not in response.body:
        raise ServiceError(
            f"The endpoint answered {response.status} without echoing the verification token; "
            "it must answer 2xx with the token in the body.",
            field="url",
        )
    sub.secret = "whsec_" + secrets.token_urlsafe(32)
    sub.confirmed_at = utcnow()
    db.session.add(sub)
    db.session.flush()
    return sub, sub.secret


def subscribe_slack(url: str, *, component_ids=()) -> HookSubscriber:
    """Post a confirmation link to the Slack channel; stored unconfirmed once it was posted."""
    url = (url or "").strip()
    problem = slack_url_problem(url, any_host=allow_private())
    if problem:
        raise ServiceError(problem, field="url")
    url = clean_webhook_url(url, field="url")
    sub = _new(Channel.slack, url, component_ids)
    token = secrets.token_urlsafe(32)
    link = f"{current_app.config['PUBLIC_BASE_URL']}/hooks/confirm/{token}"
    name = page_settings().page_name
    payload = message(
        title=f"Confirm updates from {name}",
        text="Someone asked to post this status page's updates in this channel. "
        "Follow the link and confirm to start; ignore this message otherwise.",
        facts=[],
        link=link,
        link_label="Confirm",
    )
    try:
        response = post_json(url, payload, allow_private=allow_private(),
                             timeout=CHALLENGE_TIMEOUT)  # fmt: skip
    except OutboundError as exc:
        raise ServiceError(f"Could not reach Slack: {exc.message}", field="url") from None
    if not response.ok:
        raise ServiceError(f"Slack answered {response.status}; check the URL.", field="url")
    sub.confirm_token_hash = _sha256(token)
    db.session.add(sub)
    db.session.flush()
    return sub


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


def list_hook_subscribers() -> list[HookSubscriber]:
    """Every webhook and Slack subscriber, newest first, for the console."""
    query = db.select(HookSubscriber).order_by(HookSubscriber.id.desc())
    return list(db.session.scalars(query))
