"""API keys: a named, scoped secret for scripts and tools, stored only as its hash."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.enums import Role
from app.models.users import User
from app.sqltypes import enum_type, utcnow


class ApiKey(db.Model):
    """A key acts as its own non-login ``user`` (role = scope), so every service records it
    as the author of what it does: the audit log and the updates name the key."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    scope: Mapped[Role] = mapped_column(enum_type(Role), default=Role.lead)
    # sha256 of the secret, hex; the secret itself is shown once and never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret: not enough to use it, enough to tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # After this the key is refused (401); None: it does not expire.
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    # The key's owner: while they are deactivated or below the key's scope, it is suspended.
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    @property
    def suspended_because(self) -> str | None:
        """Why the key is suspended (its owner may no longer hold its scope), else None. A key
        made without an owner (``flask api-key create`` without ``--owner``) has none to lose."""
        owner = self.created_by
        if owner is None:
            return None
        if not owner.active:
            return f"its owner {owner.name} is deactivated"
        if not owner.can(self.scope):
            return f"its owner {owner.name} no longer holds the {self.scope} role"
        return None

    def __repr__(self) -> str:
        return f"<ApiKey {self.name!r} {self.scope} {self.prefix}…>"
