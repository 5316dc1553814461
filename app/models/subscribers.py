"""Public email subscribers and internal stakeholder groups."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.components import Component
from app.models.enums import Severity
from app.sqltypes import enum_type, utcnow

subscriber_components = Table(
    "subscriber_components",
    db.metadata,
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "component_id",
        ForeignKey("components.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Subscriber(db.Model):
    """A customer address; no components chosen means every component."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Random selector of the personal manage/unsubscribe token; the token is this plus its HMAC
    # under SECRET_KEY (app/fanout/subscribers.py), so the table alone cannot forge a link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    unsubscribed_at: Mapped[datetime | None]
    suppressed_reason: Mapped[str | None] = mapped_column(String(200))
    suppressed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Subscribed by a signed-in viewer from their page (the address proved by signing in): also
    # told of the incidents of the audiences that admit the address, as they stand at each
    # dispatch (never a stored copy of them). None: a public subscriber, the floor only.
    viewer_at: Mapped[datetime | None]

    components: Mapped[list[Component]] = relationship(secondary=subscriber_components)

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.suppressed_at)

    def __repr__(self) -> str:
        return f"<Subscriber {self.id}>"  # no address in logs


class StakeholderGroup(db.Model):
    """Colleagues who get the internal text of incidents at or above ``min_severity``."""

    __tablename__ = "stakeholder_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_severity: Mapped[Severity] = mapped_column(enum_type(Severity), default=Severity.SEV2)
    # A Slack incoming webhook that receives the internal text too (a secret: never shown back).
    slack_webhook_url: Mapped[str | None] = mapped_column(String(500))
    # Tied to an audience: told only of the incidents that audience sees, as its page shows
    # them. None: every incident its minimum severity meets.
    audience_id: Mapped[int | None] = mapped_column(
        ForeignKey("audiences.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    audience: Mapped["PageAudience | None"] = relationship()  # noqa: F821

    def wants(self, severity: Severity) -> bool:
        return Severity(severity).level <= Severity(self.min_severity).level

    def __repr__(self) -> str:
        return f"<StakeholderGroup {self.name!r} >= {self.min_severity}>"
