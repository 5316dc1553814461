"""Feed tokens: feed readers and scripts cannot sign in, so a viewer makes a token for them.

A token goes in a feed's or a JSON document's address (``/history.atom?token=…``) and opens
what its viewer's audiences see there, nothing else (no pages, no console). Only its SHA-256
is stored; the viewer sees it once, lists and revokes their tokens, and admins can revoke any.
Each process reads the live tokens at most once per ``PUBLISH_CHECK_SECONDS`` (a revocation
made in the process counts at once), so a read with a token costs no query.
"""

import hashlib
import secrets
import threading
import time

from flask import current_app

from app.audiences.membership import current_membership
from app.audiences.sessions import read_cookie
from app.core import ServiceError
from app.core.audit import record
from app.core.text import clean_line
from app.extensions import db
from app.models import FeedToken, User
from app.sqltypes import utcnow

MAX_LIVE = 20  # live tokens per viewer
MAX_LABEL = 80
MAX_LISTED = 500  # the console's list, newest first
MAX_TOKEN = 100  # longer values are not tokens (ours are 43 characters)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_feed_token(email: str, *, label: str = "") -> tuple[FeedToken, str]:
    """A new token for the viewer at ``email``: the row, and the token (shown once)."""
    label = clean_line(label if isinstance(label, str) else "")
    if len(label) > MAX_LABEL:
        raise ServiceError(f"A label has at most {MAX_LABEL} characters.")
    live = db.session.scalar(
        db.select(db.func.count(FeedToken.id)).where(
            FeedToken.email == email, FeedToken.revoked_at.is_(None)
        )
    )
    if live >= MAX_LIVE:
        raise ServiceError(f"You have {MAX_LIVE} live tokens: revoke one you no longer use first.")
    raw = secrets.token_urlsafe(32)
    token = FeedToken(email=email, label=label, token_hash=token_hash(raw))
    db.session.add(token)
    record("viewer.feed_token_issue", actor=None, obj=token, detail={"email": email})
    return token, raw


def feed_tokens_of(email: str) -> list[FeedToken]:
    """A viewer's tokens, newest first (revoked ones too, marked)."""
    query = db.select(FeedToken).where(FeedToken.email == email)
    return list(db.session.scalars(query.order_by(FeedToken.id.desc()).limit(MAX_LIVE * 5)))


def all_feed_tokens(limit: int = MAX_LISTED) -> list[FeedToken]:
    """Every viewer's tokens, newest first, for admins."""
    query = db.select(FeedToken).order_by(FeedToken.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def revoke_feed_token(public_id: str, *, email: str | None = None, actor: User | None = None):
    """Revoke a token: the viewer's own (``email``), or any (an admin, ``actor``)."""
    query = db.select(FeedToken).where(FeedToken.public_id == str(public_id)[:12])
    if email is not None:
        query = query.where(FeedToken.email == email)  # another viewer's token: not found
    token = db.session.scalar(query)
    if token is None:
        raise ServiceError("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("viewer.feed_token_revoke", actor=actor, obj=token, detail={"email": token.email})
    return token


class LiveTokens:
    """hash → viewer address of the live tokens, in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._emails: dict[str, str] = {}
        self._read_at = float("-inf")

    def email_for(self, raw) -> str | None:
        if not isinstance(raw, str) or not raw or len(raw) > MAX_TOKEN:
            return None
        interval = float(current_app.config["PUBLISH_CHECK_SECONDS"])
        if time.monotonic() - self._read_at >= interval:
            with self._lock:
                if time.monotonic() - self._read_at >= interval:
                    query = db.select(FeedToken.token_hash, FeedToken.email).where(
                        FeedToken.revoked_at.is_(None)
                    )
                    self._emails = dict(db.session.execute(query).all())
                    self._read_at = time.monotonic()
        return self._emails.get(token_hash(raw))

    def forget(self) -> None:
        """Read again at the next use (this process just revoked one)."""
        with self._lock:
            self._read_at = float("-inf")


live_tokens = LiveTokens()


def token_audience_key(raw, cookie: str | None = None) -> str:
    """The key of the set of audiences a feed token opens, or "" (the public floor): unknown,
    revoked or forged tokens, viewers in no audience, and another viewer's token presented
    by a signed-in viewer (``cookie``: their viewer cookie, if any)."""
    email = live_tokens.email_for(raw)
    if not email:
        return ""
    if cookie:
        viewer = read_cookie(cookie)
        if viewer is not None and viewer.email != email:
            return ""
    return current_membership.get().key_for(email)
