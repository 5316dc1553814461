"""Viewers sign in by OpenID Connect: the authorization code flow with state, nonce and PKCE.

``start_sign_in`` records a sign-in under way (the state's SHA-256, the nonce, the PKCE
verifier; ten minutes) and gives the provider's URL to send the browser to. The callback
spends it once (``claim_start``), exchanges the code at the token endpoint (``exchange``,
outside any transaction: the provider may be slow) and checks the ID token with Authlib and
joserfc: its signature against the provider's keys (JWKS), issuer, audience, expiry, nonce.
``open_session`` then opens a ``ViewerSession`` whose address is the token's ``email``
(``email_verified`` must not be false) and whose claim values (``VIEWER_OIDC_CLAIM``) decide,
with the address, the viewer's audiences. Every sign-in, and every refusal after the state
was spent, is audited. Verbs flush, never commit.

The discovery document and the keys are fetched through ``app.outbound`` (no redirects, a
bounded time and size) and kept an hour per process; a key id not among them fetches the
keys once more (the provider rotated its keys).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from datetime import timedelta
from urllib.parse import quote, urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from flask import current_app
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from app.audiences.membership import current_membership
from app.audiences.sessions import session_claims
from app.audiences.viewers import safe_next
from app.core import ServiceError
from app.core.audit import record
from app.core.settings import page_settings
from app.core.text import clean_line
from app.core.users import normalize_email
from app.extensions import db
from app.models import ViewerOidcStart, ViewerSession
from app.outbound.client import OutboundError, request
from app.signals import public_changed
from app.sqltypes import utcnow

START_MINUTES = 10
METADATA_SECONDS = 3600
CALLBACK = "/viewer/oidc/callback"
# Signatures by the provider's own keys only: never "none", never a secret shared with us.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
EXPIRED = "This sign-in has expired or was already used. Start again from the sign-in page."
_BROKEN = "The sign-in service did not answer as expected. Try again in a few minutes."
_REFUSED = "The sign-in service's answer could not be trusted, so you are not signed in."


class SignInFailed(ServiceError):
    """A sign-in that cannot go on; ``status``: the HTTP status the page is sent with."""

    def __init__(self, message: str, *, status: int = 400, reason: str = ""):
        super().__init__(message, field="oidc")
        self.status = status
        self.reason = clean_line(reason)[:200]  # for the log and audit log, never shown


def configured() -> bool:
    """Whether viewers may sign in by OpenID Connect (the three settings are given)."""
    cfg = current_app.config
    return bool(cfg.get("VIEWER_OIDC_DISCOVERY_URL") and cfg.get("VIEWER_OIDC_CLIENT_ID"))


def provider_name() -> str:
    return current_app.config.get("VIEWER_OIDC_NAME") or "single sign-on"


def redirect_uri() -> str:
    base = page_settings().public_url or current_app.config["PUBLIC_BASE_URL"]
    return base.rstrip("/") + CALLBACK


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _get_json(url: str, *, what: str) -> dict:
    """GET a JSON document from the provider (an operator's setting, so a provider on a
    private network is allowed), or ``SignInFailed`` with a message for the viewer."""
    timeout = float(current_app.config["VIEWER_OIDC_TIMEOUT"])
    try:
        response = request(
            "GET", url, headers={"Accept": "application/json"}, allow_private=True,
            timeout=timeout,
        )  # fmt: skip
        if not response.ok:
            raise SignInFailed(_BROKEN, status=502, reason=f"{what}: HTTP {response.status}")
        document = json.loads(response.body)
    except OutboundError as exc:
        raise SignInFailed(_BROKEN, status=502, reason=f"{what}: {exc.message}") from None
    except ValueError:
        raise SignInFailed(_BROKEN, status=502, reason=f"{what}: not JSON") from None
    if not isinstance(document, dict):
        raise SignInFailed(_BROKEN, status=502, reason=f"{what}: not a JSON object")
    return document


class _Provider:
    """The discovery document and the keys, per process, for an hour."""

    def __init__(self):
        self._lock = threading.Lock()
        self._metadata: dict | None = None
        self._keys: dict | None = None
        self._url = None
        self._read_at = float("-inf")

    def metadata(self) -> dict:
        url = current_app.config["VIEWER_OIDC_DISCOVERY_URL"]
        with self._lock:
            fresh = time.monotonic() - self._read_at < METADATA_SECONDS
            if self._metadata is not None and self._url == url and fresh:
                return self._metadata
        found = _get_json(url, what="discovery")
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not all(isinstance(found.get(k), str) and found[k] for k in needed):
            raise SignInFailed(_BROKEN, status=502, reason="discovery: a field is missing")
        with self._lock:
            self._metadata, self._keys, self._url = found, None, url
            self._read_at = time.monotonic()
        return found

    def keys(self, *, again: bool = False) -> KeySet:
        metadata = self.metadata()
        with self._lock:
            cached = None if again else self._keys
        if cached is None:
            cached = _get_json(metadata["jwks_uri"], what="keys")
            with self._lock:
                self._keys = cached
        try:
            return KeySet.import_key_set(cached)
        except (JoseError, ValueError, TypeError, KeyError):
            raise SignInFailed(_BROKEN, status=502, reason="keys: not a JWK set") from None

    def forget(self) -> None:
        with self._lock:
            self._metadata, self._keys, self._read_at = None, None, float("-inf")


provider = _Provider()


def provider_problem() -> str | None:
    """What ``flask check-config`` says of the provider: None when its discovery document
    and its keys answer as they should."""
    provider.forget()
    try:
        provider.keys()
    except SignInFailed as exc:
        url = current_app.config["VIEWER_OIDC_DISCOVERY_URL"]
        return f"the OpenID Connect provider ({url}) {exc.reason}"
    return None


def start_sign_in(next_path: str | None) -> tuple[str, str]:
    """Record a sign-in under way; the provider's URL to send the browser to, and the state
    (which the browser keeps in a cookie, so a callback in another browser is refused)."""
    metadata = provider.metadata()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 wants 43 to 128
    now = utcnow()
    db.session.add(
        ViewerOidcStart(
            state_hash=_sha256(state),
            nonce=nonce,
            code_verifier=verifier,
            next_path=safe_next(next_path),
            created_at=now,
            expires_at=now + timedelta(minutes=START_MINUTES),
        )
    )
    _forget_old(now)
    db.session.flush()
    url = add_params_to_uri(
        metadata["authorization_endpoint"],
        [
            ("response_type", "code"),
            ("client_id", current_app.config["VIEWER_OIDC_CLIENT_ID"]),
            ("redirect_uri", redirect_uri()),
            ("scope", "openid email profile"),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", create_s256_code_challenge(verifier)),
            ("code_challenge_method", "S256"),
        ],
    )
    return url, state


def _forget_old(now) -> None:
    """Sign-ins left half-way a day ago are of no use to anyone: drop them (bounded)."""
    old = db.select(ViewerOidcStart.id).where(ViewerOidcStart.created_at < now - timedelta(days=1))
    ids = list(db.session.scalars(old.limit(500)))
    if ids:
        db.session.execute(db.delete(ViewerOidcStart).where(ViewerOidcStart.id.in_(ids)))


def claim_start(state) -> tuple[str, str, str]:
    """Spend the sign-in ``state`` names, once: its nonce, PKCE verifier and next path."""
    if not isinstance(state, str) or not 20 <= len(state) <= 100:
        raise SignInFailed(EXPIRED, reason="state: malformed")
    start = db.session.scalar(
        db.select(ViewerOidcStart).filter_by(state_hash=_sha256(state)).with_for_update()
    )
    now = utcnow()
    if start is None or start.used_at is not None or start.expires_at <= now:
        raise SignInFailed(EXPIRED, reason="state: unknown, spent or expired")
    start.used_at = now
    db.session.flush()
    return start.nonce, start.code_verifier, safe_next(start.next_path)


def exchange(code, *, nonce: str, verifier: str) -> dict:
    """Trade the code for tokens at the provider; the ID token's checked claims."""
    if not isinstance(code, str) or not 1 <= len(code) <= 2048:
        raise SignInFailed(_REFUSED, reason="code: missing or malformed")
    cfg = current_app.config
    metadata = provider.metadata()
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri(),
            "code_verifier": verifier,
        }
    ).encode()
    # client_secret_basic (RFC 6749 2.3.1: each part form-encoded), what providers expect.
    pair = f"{quote(cfg['VIEWER_OIDC_CLIENT_ID'], safe='')}:"
    pair += quote(cfg["VIEWER_OIDC_CLIENT_SECRET"] or "", safe="")
    headers = {
        "Authorization": "Basic " + base64.b64encode(pair.encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    try:
        response = request(
            "POST", metadata["token_endpoint"], body=body, headers=headers,
            allow_private=True, timeout=float(cfg["VIEWER_OIDC_TIMEOUT"]),
        )  # fmt: skip
    except OutboundError as exc:
        raise SignInFailed(_BROKEN, status=502, reason=f"token: {exc.message}") from None
    try:
        tokens = json.loads(response.body)
    except ValueError:
        tokens = None
    if not response.ok or not isinstance(tokens, dict):
        error = tokens.get("error") if isinstance(tokens, dict) else None
        raise SignInFailed(_REFUSED, reason=f"token: HTTP {response.status} {str(error)[:80]}")
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SignInFailed(_REFUSED, reason="token: no id_token")
    return check_id_token(id_token, nonce=nonce, access_token=tokens.get("access_token"))


def check_id_token(id_token: str, *, nonce: str, access_token=None) -> dict:
    """The claims of ``id_token`` once its signature, issuer, audience, times and nonce are
    checked; ``SignInFailed`` naming the reason (for the audit log) otherwise."""
    metadata = provider.metadata()
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in ALGORITHMS if a in offered]
    try:
        try:
            token = jwt.decode(id_token, provider.keys(), algorithms=algorithms)
        except InvalidKeyIdError:
            token = jwt.decode(id_token, provider.keys(again=True), algorithms=algorithms)
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInFailed(_REFUSED, reason=f"id_token: {type(exc).__name__}") from None
    client_id = current_app.config["VIEWER_OIDC_CLIENT_ID"]
    claims = CodeIDToken(
        token.claims,
        token.header,
        {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "exp": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        },
        {"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    try:
        claims.validate(leeway=60)
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInFailed(_REFUSED, reason=f"id_token: {exc}"[:200]) from None
    return dict(claims)


def viewer_of(claims: dict) -> tuple[str, tuple[str, ...]]:
    """The address and claim values an ID token gives; refused without a usable address."""
    if claims.get("email_verified") is False:
        raise SignInFailed(
            "Your address is not verified at the sign-in service, so it cannot sign you in.",
            status=403,
            reason="email_verified is false",
        )
    try:
        email = normalize_email(claims.get("email") if isinstance(claims.get("email"), str) else "")
    except ServiceError:
        raise SignInFailed(
            "The sign-in service gave no email address, so it cannot sign you in here.",
            status=403,
            reason="no email claim",
        ) from None
    raw = claims.get(current_app.config["VIEWER_OIDC_CLAIM"])
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    admitted = current_membership.get().claims
    ordered = sorted(values, key=lambda v: (v not in admitted, str(v)))  # admitted ones kept
    return email, session_claims(ordered)


def open_session(email: str, claims: tuple[str, ...]) -> ViewerSession:
    """A viewer session for what the provider vouched for; audited. A set of audiences no
    page is published for yet (a new mix of claim values) asks for a publish."""
    membership = current_membership.get()
    new_set = membership.key_for(email, claims) not in membership.keys() | {""}
    session = ViewerSession(
        email=email, method="oidc", claims=json.dumps(list(claims)), created_at=utcnow()
    )
    db.session.add(session)
    record(
        "viewer.sign_in",
        actor=None,
        obj=session,
        object_type="viewer",
        detail={"email": email, "method": "oidc", "claims": list(claims)},
    )
    if new_set:
        public_changed.send(None, everything=True)
    db.session.flush()
    return session


def record_refusal(failure: SignInFailed) -> None:
    """A sign-in refused after its state was spent: in the audit log, with the reason."""
    record(
        "viewer.sign_in_refused",
        actor=None,
        obj=None,
        object_type="viewer",
        detail={"method": "oidc", "reason": failure.reason[:200]},
    )
