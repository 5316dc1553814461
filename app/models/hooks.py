"""Webhook and Slack subscribers (URLs instead of addresses) and each one's delivery of a
dispatch: an attempt record, so one endpoint's retries never hold the others back."""

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.components import Component
from app.models.enums import Channel, DeliveryStatus
from app.sqltypes import enum_type, utcnow

hook_subscriber_components = db.Table(
    "hook_subscriber_components",
    Column(
        "hook_subscriber_id",
        ForeignKey("hook_subscribers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "component_id",
        ForeignKey("components.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class HookSubscriber(db.Model):
    """A customer's webhook endpoint or Slack channel; no components chosen means all."""

    __tablename__ = "hook_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Channel] = mapped_column(enum_type(Channel))
    url: Mapped[str] = mapped_column(String(500))
    # Selector of the personal unsubscribe token (selector + HMAC under SECRET_KEY).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The signing secret, kept as is: Crier must sign with it (docs/integrations.md).
    secret: Mapped[str | None] = mapped_column(String(100))
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    unsubscribed_at: Mapped[datetime | None]
    # Consecutive deliveries that failed after their retries, since the first of them.
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    components: Mapped[list[Component]] = relationship(secondary=hook_subscriber_components)

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.disabled_at)

    @property
    def host(self) -> str:
        """The URL's host alone: the rest of a Slack URL is a secret."""
        return urlsplit(self.url).hostname or "?"

    def __repr__(self) -> str:
        return f"<HookSubscriber {self.id} {self.kind}>"  # no URL in logs: it may be a secret


class HookDelivery(db.Model):
    """One recipient of a webhook/Slack dispatch: a subscriber or a stakeholder group."""

    __tablename__ = "hook_deliveries"
    __table_args__ = (UniqueConstraint("dispatch_id", "subscriber_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey("dispatches.id", ondelete="CASCADE"), index=True
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("hook_subscribers.id", ondelete="CASCADE")
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_groups.id", ondelete="CASCADE")
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    subscriber: Mapped[HookSubscriber | None] = relationship()

    def __repr__(self) -> str:
        return f"<HookDelivery {self.id} {self.status} attempts={self.attempts}>"
