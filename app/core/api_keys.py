"""API keys: create (the secret is shown once), revoke, and authenticate by hash.

A key acts through a backing user of its own (never able to sign in, role = the key's
scope), so the services take it as their ``actor`` unchanged and the audit log, the
timeline and "posted by" all name the key.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.core import ServiceError
from app.core.audit import record
from app.core.text import clean_line
from app.extensions import db
from app.models import ApiKey, Role, User
from app.sqltypes import utcnow

SCOPES = (Role.lead, Role.admin)
KEY_PREFIX = "crier_"
# Reads must not write on every request: last use is kept to the minute.
TOUCH_EVERY = timedelta(minutes=1)
_SHOWN = len(KEY_PREFIX) + 6


def hash_secret(secret: str) -> str:
    """The stored form of a key: sha256 hex (the secret is random, so no salt is needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _clean_name(name: str | None) -> str:
    name = " ".join(clean_line(name).split())
    if not name or len(name) > 80:
        raise ServiceError("Give the key a name (up to 80 characters).", field="name")
    if db.session.scalar(db.select(ApiKey.id).filter_by(name=name)):
        raise ServiceError(f"There is already a key named {name!r}.", field="name")
    return name


def create_api_key(
    name: str, *, scope: Role | str, actor: User | None, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is returned this once and never stored. Its owner
    is ``actor``, who must hold its scope for it to work; ``expires_at``: when it stops."""
    name = _clean_name(name)
    if scope not in [s.value for s in SCOPES]:
        raise ServiceError("The scope is lead or admin.", field="scope")
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= utcnow()):
        raise ServiceError("A key's expiry must be a time in the future.", field="expires_at")
    if actor is not None and not actor.can(Role(scope)):
        raise ServiceError(f"A {scope} key needs an owner with the {scope} role.", field="scope")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    user = User(
        email=f"api-key-{secrets.token_hex(8)}@api-keys.invalid",
        name=f"API key “{name}”",
        role=Role(scope),
        active=False,  # a key's user never signs in, and is never offered as a lead
    )
    user.set_password(secrets.token_urlsafe(32))  # unknown to anyone: no sign-in, ever
    key = ApiKey(
        name=name,
        scope=Role(scope),
        secret_hash=hash_secret(secret),
        prefix=secret[:_SHOWN],
        user=user,
        created_by=actor,
        expires_at=expires_at,
    )
    db.session.add_all([user, key])
    detail = {"name": name, "scope": scope}
    if expires_at is not None:
        detail["expires_at"] = expires_at.isoformat()
    record("api_key.create", actor=actor, obj=key, detail=detail)
    db.session.flush()
    return key, secret


def revoke_api_key(key: ApiKey, *, actor: User | None) -> ApiKey:
    """Stop a key working at once; revoking twice is harmless. The key's history stays."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record("api_key.revoke", actor=actor, obj=key, detail={"name": key.name})
    db.session.flush()
    return key


def authenticate_key(secret: str | None) -> ApiKey | None:
    """The unrevoked key whose secret this is, else None; notes when it was last used. Whether
    it has expired or is suspended is the caller's to say (``ApiKey.has_expired``,
    ``ApiKey.suspended_because``), with a message of its own."""
    if not secret or len(secret) > 200 or not secret.isascii():
        return None
    digest = hash_secret(secret)
    key = db.session.scalar(
        db.select(ApiKey)
        .filter_by(secret_hash=digest)
        .options(selectinload(ApiKey.user), selectinload(ApiKey.created_by))
    )
    # The lookup finds the row; the comparison is still constant-time, so no reply's timing
    # depends on how much of a guess was right.
    if key is None or not hmac.compare_digest(key.secret_hash, digest) or key.revoked_at:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        # Bookkeeping, not a change the request makes: its own short statement, outside the
        # request's unit of work (a refused request still used the key).
        with db.engine.begin() as conn:
            conn.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        set_committed_value(key, "last_used_at", now)
    return key


def list_api_keys() -> list[ApiKey]:
    """Every key, live ones first, newest first."""
    query = db.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())
    return list(db.session.scalars(query.options(selectinload(ApiKey.created_by))))


def get_api_key(key_id: int) -> ApiKey | None:
    """The key with this id."""
    return db.session.get(ApiKey, key_id)


def find_api_key(name: str) -> ApiKey | None:
    """The key with this name."""
    return db.session.scalar(db.select(ApiKey).filter_by(name=(name or "").strip()))
