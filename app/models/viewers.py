"""Viewers of audience pages: emailed sign-in links, OpenID Connect sign-ins under way, and
their sessions (never staff)."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sqltypes import public_id_column, utcnow


class ViewerLink(db.Model):
    """An emailed sign-in link: single use, short-lived; only its SHA-256 is stored."""

    __tablename__ = "viewer_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    next_path: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ViewerLink {self.id} {self.email}>"


class ViewerSession(db.Model):
    """A viewer signed in; its id is in their signed cookie. Revoked: the cookie is dead."""

    __tablename__ = "viewer_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    email: Mapped[str] = mapped_column(String(254), index=True)
    method: Mapped[str] = mapped_column(String(16), default="email")
    # OpenID Connect: the claim values the provider gave (a JSON list, bounded), which with
    # the address decide the viewer's audiences; the publisher renders a page for each set.
    claims: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<ViewerSession {self.public_id} {self.email}>"


class ViewerOidcStart(db.Model):
    """An OpenID Connect sign-in under way: its state (only the SHA-256 stored), nonce and PKCE
    verifier, spent once by the callback, for a few minutes."""

    __tablename__ = "viewer_oidc_starts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ViewerOidcStart {self.id}>"
