"""Alerts from Alertmanager: one row per alert (its fingerprint), firing or resolved."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.components import Component
from app.models.enums import ComponentStatus
from app.sqltypes import enum_type, utcnow


class AlertMode(StrEnum):
    """What an alert on a component does: suggest an incident, or act on its own."""

    suggest = "suggest"
    automatic = "automatic"


class AlertStatus(StrEnum):
    firing = "firing"
    resolved = "resolved"


class AlertState(db.Model):
    """The last thing Alertmanager said about one alert; a repeat of it changes nothing."""

    __tablename__ = "alert_states"
    __table_args__ = (Index("ix_alert_states_component_status", "component_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    status: Mapped[AlertStatus] = mapped_column(enum_type(AlertStatus))
    severity: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(200))
    group_key: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    # The component's status before the alerts of this episode moved it (automatic mode).
    previous_status: Mapped[ComponentStatus | None] = mapped_column(enum_type(ComponentStatus))
    # Public id of the incident this alert opened (automatic mode, critical), if any.
    incident_public_id: Mapped[str | None] = mapped_column(String(40))
    notified_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    component: Mapped[Component] = relationship()

    def __repr__(self) -> str:
        return f"<AlertState {self.fingerprint} {self.status} on {self.component_id}>"
