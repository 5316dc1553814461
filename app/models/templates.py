"""User-editable message templates, one per (kind, state, audience) and name."""

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.enums import Audience, IncidentKind, State
from app.sqltypes import enum_type, utcnow


class MessageTemplate(db.Model):
    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("kind", "state", "audience", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="Default")
    kind: Mapped[IncidentKind] = mapped_column(enum_type(IncidentKind))
    state: Mapped[State] = mapped_column(enum_type(State))
    audience: Mapped[Audience] = mapped_column(enum_type(Audience))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<MessageTemplate {self.kind}/{self.state}/{self.audience} {self.name!r}>"
