"""Reminders sent when an update is due; one row per incident, due window and level."""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.enums import ReminderLevel
from app.models.incidents import Incident
from app.sqltypes import enum_type, utcnow


class Reminder(db.Model):
    __tablename__ = "reminders"
    # The database, not luck, makes two ticks at once send one reminder.
    __table_args__ = (UniqueConstraint("incident_id", "due_at", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    level: Mapped[ReminderLevel] = mapped_column(enum_type(ReminderLevel))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship()

    def __repr__(self) -> str:
        return f"<Reminder {self.incident_id} {self.level} due {self.due_at}>"
