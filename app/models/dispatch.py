"""The outbox of fan-out: one Dispatch per update, audience and channel (or one per component
change, for webhooks), and provider events."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.component_changes import ComponentChange
from app.models.enums import Audience, Channel, DispatchStatus
from app.models.incidents import Update
from app.sqltypes import enum_type, utcnow


class Dispatch(db.Model):
    __tablename__ = "dispatches"
    __table_args__ = (
        UniqueConstraint("update_id", "audience", "channel"),
        Index("ix_dispatches_status_updated_at", "status", "updated_at"),
        Index("ix_dispatches_status_lease_until", "status", "lease_until"),
        # An update's dispatch, or a component change's: one of the two, never both.
        CheckConstraint("(update_id IS NULL) <> (component_change_id IS NULL)", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    component_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("component_changes.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[Audience] = mapped_column(enum_type(Audience))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel), default=Channel.email)
    status: Mapped[DispatchStatus] = mapped_column(
        enum_type(DispatchStatus), default=DispatchStatus.pending
    )
    # Id of the last recipient whose batch the provider accepted; a resumed run starts after it.
    cursor: Mapped[int] = mapped_column(default=0)
    recipients_count: Mapped[int] = mapped_column(default=0)
    accepted_count: Mapped[int] = mapped_column(default=0)
    delivered_count: Mapped[int] = mapped_column(default=0)
    bounced_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    # The run that holds the dispatch ("host:pid:run") and until when; renewed after each batch.
    owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    # PostgreSQL: the owner process's advisory lock key; the lock gone means the owner is dead.
    lock_key: Mapped[int | None]
    # Recipients of the batch handed to the provider and not yet recorded (0 between batches):
    # if the worker dies now, they may get the email twice after a takeover.
    in_flight: Mapped[int] = mapped_column(default=0)
    possible_duplicates: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]

    update: Mapped[Update | None] = relationship()
    component_change: Mapped[ComponentChange | None] = relationship()

    def __repr__(self) -> str:
        return f"<Dispatch {self.id} {self.audience} {self.status} cursor={self.cursor}>"


class DeliveryEvent(db.Model):
    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispatch_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispatches.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    # SendGrid's sg_event_id; unique so a replayed webhook is recorded once.
    provider_event_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<DeliveryEvent {self.event} dispatch={self.dispatch_id}>"
