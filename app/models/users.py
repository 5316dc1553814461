"""People who sign in to the admin."""

import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.ids import parse_id
from app.models.enums import Role
from app.sqltypes import enum_type, utcnow


def _new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.viewer)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    slack_webhook_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # In every session cookie (see get_id); a new one refuses all the old cookies.
    session_token: Mapped[str] = mapped_column(String(32), default=_new_session_token)

    def set_password(self, password: str) -> None:
        """Set the password; every session signed in with the old one ends."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def end_sessions(self) -> None:
        """Refuse every session cookie issued so far (sign-out, new password, new role)."""
        self.session_token = _new_session_token()

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the current session token."""
        if self.session_token is None:
            self.session_token = _new_session_token()
        return f"{self.id}.{self.session_token}"

    @classmethod
    def from_session_id(cls, session_id: str) -> "User | None":
        """The user a session belongs to, if its token is still the current one."""
        user_id, _, token = (session_id or "").partition(".")
        pk = parse_id(user_id)
        user = db.session.get(cls, pk) if pk is not None and token.isascii() else None
        if user is None or not hmac.compare_digest(token.encode(), user.session_token.encode()):
            return None
        return user

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, role: Role) -> bool:
        """Whether this user holds ``role`` or a stronger one."""
        return self.role.rank >= Role(role).rank

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
