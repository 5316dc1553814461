"""A viewer's session in a signed cookie, checked with no database query per read.

The cookie holds the session id, the address, the OpenID Connect claim values (when the
viewer signed in that way) and when it was issued, with an HMAC under
SECRET_KEY (``app.core.keys``: old keys still accepted after a rotation). Revoked sessions
(signed out, or revoked by an admin) are read into each process at most once per
``PUBLISH_CHECK_SECONDS``, like the published generation, so a revocation reaches every
process within that interval and a read costs no query.
"""

import base64
import json
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.core.keys import sign, verify
from app.extensions import db
from app.models import ViewerSession
from app.sqltypes import utcnow

COOKIE = "crier_viewer"
_PURPOSE = b"crier.viewer-session"
MAX_COOKIE = 3072  # browsers keep 4 KiB a cookie; the claim values are cut to fit
MAX_CLAIMS = 40  # claim values a cookie carries
MAX_CLAIM = 255  # characters of one (the admissions' column)


@dataclass(frozen=True)
class SignedInViewer:
    session_id: str
    email: str
    issued_at: int
    claims: tuple[str, ...] = ()


def _days() -> int:
    return int(current_app.config["VIEWER_SESSION_DAYS"])


def session_claims(values) -> tuple[str, ...]:
    """The claim values a session keeps: strings, without repeats, bounded in number and
    length (a provider's huge group list never makes a cookie the browser drops); in the
    order given, so the values audiences admit can go first."""
    kept: list[str] = []
    for value in values or ():
        if isinstance(value, str) and 0 < len(value) <= MAX_CLAIM and value not in kept:
            kept.append(value)
    return tuple(kept[:MAX_CLAIMS])


def cookie_for(session: ViewerSession) -> str:
    """The cookie value that opens ``session``."""
    claims = session_claims(json.loads(session.claims or "[]"))
    while True:
        data = {"s": session.public_id, "e": session.email, "t": int(time.time())}
        if claims:
            data["c"] = list(claims)
        body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        body = body.decode().rstrip("=")
        value = f"{body}.{sign(_PURPOSE, body)}"
        if len(value) <= MAX_COOKIE or not claims:
            return value
        claims = claims[:-1]  # the session row keeps the list the sign-in was audited with


def read_cookie(value: str | None) -> SignedInViewer | None:
    """The viewer a cookie names, or None: unsigned, tampered, too old or revoked."""
    if not isinstance(value, str) or not value or len(value) > MAX_COOKIE or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not verify(_PURPOSE, body, mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims = data.get("c", [])
        if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
            return None
        viewer = SignedInViewer(
            session_id=str(data["s"]),
            email=str(data["e"]),
            issued_at=int(data["t"]),
            claims=tuple(claims),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if viewer.issued_at + _days() * 86400 < time.time():
        return None
    if viewer.session_id in revoked.current():
        return None
    return viewer


class Revoked:
    """The ids of revoked sessions young enough to have a live cookie, per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ids: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def current(self) -> frozenset[str]:
        interval = float(current_app.config["PUBLISH_CHECK_SECONDS"])
        if time.monotonic() - self._read_at >= interval:
            with self._lock:
                if time.monotonic() - self._read_at >= interval:
                    self._ids = self._load()
                    self._read_at = time.monotonic()
        return self._ids

    def _load(self) -> frozenset[str]:
        since = utcnow() - timedelta(days=_days() + 1)
        query = db.select(ViewerSession.public_id).where(
            ViewerSession.revoked_at.is_not(None), ViewerSession.created_at >= since
        )
        return frozenset(db.session.scalars(query))

    def known(self) -> frozenset[str]:
        """The revoked ids as this process last read or added them (no refresh, no app
        context): a new value whenever they change, for callers that keep an answer."""
        return self._ids

    def add(self, session_id: str) -> None:
        """This process knows at once of a revocation it made (others within the interval)."""
        with self._lock:
            self._ids = self._ids | {session_id}

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


revoked = Revoked()
