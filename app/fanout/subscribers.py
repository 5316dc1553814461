"""Public subscribers: double opt-in, personal manage/unsubscribe tokens, preferences."""

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta

from app.core import ServiceError
from app.core.keys import sign, verify
from app.core.uow import after_commit
from app.core.users import normalize_email
from app.extensions import db
from app.ids import parse_id
from app.models import Component, Subscriber
from app.signals import confirmation_requested, manage_link_requested
from app.sqltypes import utcnow

CONFIRM_VALID_FOR = timedelta(days=7)
_SELECTOR_LEN = 32
SELECTOR_PREFIX = re.compile(r"[0-9a-f]{16}")  # a subscriber's id in the management API


# The rate-limit scope every edge that can make Crier send a confirmation email shares (the
# public form, /api/v1), so an address gets at most SUBSCRIBE_ADDRESS_RATE_LIMIT of them.
ADDRESS_LIMIT_SCOPE = "subscribe-address"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def address_limit_key(raw: str | None) -> str:
    """Rate-limit key for an address being subscribed (hashed: no addresses in the store).

    The normalised address, as ``subscribe`` stores it: a full-width ``e`` in the domain or
    an ideographic full stop for the dot still reach one victim's inbox, and share one limit.
    """
    raw = raw if isinstance(raw, str) else ""
    try:
        email = normalize_email(raw)
    except ServiceError:  # refused anyway; still counted, under what was typed
        email = raw.strip()
    # NFKC too: normalize_email keeps a full-width local part as typed.
    email = unicodedata.normalize("NFKC", email).casefold()
    return "subscribe:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


def _mac(selector: str) -> str:
    return sign(b"crier-subscriber:", selector)


def personal_token(subscriber: Subscriber) -> str:
    """The token in a subscriber's manage and unsubscribe links.

    A random selector (kept in ``token_hash``) plus its HMAC under SECRET_KEY: the database
    alone cannot forge a link, the address says nothing about it, and every email can carry
    it without the token itself being stored.
    """
    return subscriber.token_hash + _mac(subscriber.token_hash)


def subscriber_for_token(token: str) -> Subscriber | None:
    """The subscriber a manage/unsubscribe token belongs to, or None."""
    token = token or ""
    if not token.isascii():  # compare_digest raises on non-ASCII str; no real token has any
        return None
    selector, mac = token[:_SELECTOR_LEN], token[_SELECTOR_LEN:]
    if len(selector) != _SELECTOR_LEN:
        return None
    if not verify(b"crier-subscriber:", selector, mac):
        return None
    return db.session.scalar(db.select(Subscriber).filter_by(token_hash=selector))


def _components(component_ids) -> list[Component]:
    ids = {parse_id(i) for i in component_ids or ()}
    if not ids:
        return []
    if None in ids:
        raise ServiceError("Choose components from the list.", field="components")
    found = list(
        db.session.scalars(db.select(Component).where(Component.id.in_(ids), Component.is_public))
    )
    if len(found) != len(ids):
        raise ServiceError("Choose components from the list.", field="components")
    return found


def subscribe(email: str, *, component_ids=()) -> None:
    """Start a double opt-in; the answer and timing are the same for known and new addresses."""
    email = normalize_email(email)
    components = _components(component_ids)
    now = utcnow()
    sub = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if sub is not None and sub.suppressed_at:
        return  # the address bounced or complained: never mail it again
    if sub is None:
        sub = Subscriber(email=email, token_hash=secrets.token_hex(_SELECTOR_LEN // 2))
        db.session.add(sub)
    if sub.is_active:
        db.session.flush()
        after_commit(manage_link_requested, subscriber_id=sub.id)
        return
    token = secrets.token_urlsafe(32)
    sub.confirm_token_hash = _sha256(token)
    sub.confirm_expires_at = now + CONFIRM_VALID_FOR
    sub.components = components
    db.session.flush()
    after_commit(confirmation_requested, subscriber_id=sub.id, token=token)


def confirm_subscription(token: str) -> Subscriber:
    """Confirm the address whose confirmation link this is; confirming twice is harmless."""
    sub = db.session.scalar(
        db.select(Subscriber).filter_by(confirm_token_hash=_sha256(token or ""))
    )
    if sub is None or sub.confirm_expires_at is None or sub.suppressed_at:
        raise ServiceError("This confirmation link is not valid. Subscribe again to get a new one.")
    if sub.confirm_expires_at < utcnow():
        raise ServiceError("This confirmation link has expired. Subscribe again to get a new one.")
    if not sub.confirmed_at or sub.unsubscribed_at:
        sub.confirmed_at = utcnow()
        sub.unsubscribed_at = None
    db.session.flush()
    return sub


def _by_token(token: str) -> Subscriber:
    sub = subscriber_for_token(token)
    if sub is None:
        raise ServiceError("This link is not valid.")
    return sub


def unsubscribe(token: str) -> Subscriber:
    """Stop all email to the token's subscriber; unsubscribing twice is harmless."""
    sub = _by_token(token)
    if not sub.unsubscribed_at:
        sub.unsubscribed_at = utcnow()
    # An old confirmation link must not resubscribe someone who just left.
    sub.confirm_token_hash = None
    sub.confirm_expires_at = None
    db.session.flush()
    return sub


def update_preferences(token: str, *, component_ids=()) -> Subscriber:
    """Set which components the subscriber hears about (none = everything)."""
    sub = _by_token(token)
    sub.components = _components(component_ids)
    db.session.flush()
    return sub


def suppress(email: str, *, reason: str) -> bool:
    """Never mail this address again (bounce, drop, spam report); no commit. True if known."""
    try:
        email = normalize_email(email)
    except ServiceError:  # not an address we could have stored
        return False
    sub = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if sub is None:
        return False
    if not sub.suppressed_at:
        sub.suppressed_at = utcnow()
        sub.suppressed_reason = reason[:200]
    return True


def subscriber_by_email(email: str) -> Subscriber | None:
    """The subscriber with this (normalized) address, else None."""
    return db.session.scalar(db.select(Subscriber).filter_by(email=email))


def subscriber_by_selector(prefix: str) -> Subscriber | None:
    """The subscriber whose token selector starts with ``prefix`` (the API's subscriber id:
    16 hex characters, never the row's key), else None."""
    if not SELECTOR_PREFIX.fullmatch(prefix or ""):
        return None
    return db.session.scalar(db.select(Subscriber).where(Subscriber.token_hash.startswith(prefix)))


def subscribe_viewer(email: str) -> Subscriber:
    """Subscribe a signed-in viewer's own address, confirmed already (signing in by an emailed
    link proved it), and told of their audiences' incidents too (``sight``): the audiences
    admitting the address at each dispatch, never a copy kept here. An active subscriber's
    component choices are kept; a new one follows everything."""
    email = normalize_email(email)
    sub = subscriber_by_email(email)
    if sub is not None and sub.suppressed_at:
        raise ServiceError(
            "Email to this address bounced or was reported as spam, so Crier no longer sends "
            "to it.",
            field="email",
        )
    now = utcnow()
    if sub is None:
        sub = Subscriber(email=email, token_hash=secrets.token_hex(_SELECTOR_LEN // 2))
        db.session.add(sub)
    if not sub.is_active:
        sub.components = []
    sub.confirmed_at = sub.confirmed_at or now
    sub.unsubscribed_at = None
    sub.confirm_token_hash = None
    sub.confirm_expires_at = None
    sub.viewer_at = sub.viewer_at or now
    db.session.flush()
    return sub


def viewer_subscription(email: str) -> Subscriber | None:
    """The active subscription a viewer made from their page, else None."""
    try:
        sub = subscriber_by_email(normalize_email(email))
    except ServiceError:
        return None
    return sub if sub is not None and sub.is_active and sub.viewer_at else None


def unsubscribe_viewer(email: str) -> None:
    """Stop the email a viewer asked for from their page (as the one-click link does)."""
    sub = viewer_subscription(email)
    if sub is not None:
        unsubscribe(personal_token(sub))
