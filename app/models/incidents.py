"""Incidents and maintenance windows, the components they touch, and their updates."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.components import Component
from app.models.enums import (
    CLOSED_STATES,
    ComponentStatus,
    Impact,
    IncidentKind,
    Severity,
    State,
)
from app.models.users import User
from app.sqltypes import enum_type, public_id_column, utcnow


class Incident(db.Model):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_kind_started_at", "kind", "started_at"),
        # Publishing reads a time range (a history month, the past days) or the open ones.
        Index("ix_incidents_started_at", "started_at"),
        Index("ix_incidents_state_started_at", "state", "started_at"),
        # The reminder tick asks for open incidents due before a time: one range scan here.
        Index("ix_incidents_resolved_at_due", "resolved_at", "next_update_due_at"),
        CheckConstraint(
            "scheduled_until IS NULL OR scheduled_for IS NULL OR scheduled_until > scheduled_for",
            name="window_order",
        ),
        CheckConstraint("cadence_minutes IS NULL OR cadence_minutes > 0", name="cadence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[IncidentKind] = mapped_column(
        enum_type(IncidentKind), default=IncidentKind.incident
    )
    severity: Mapped[Severity] = mapped_column(enum_type(Severity), default=Severity.SEV3)
    impact: Mapped[Impact] = mapped_column(enum_type(Impact), default=Impact.none)
    state: Mapped[State] = mapped_column(enum_type(State), default=State.investigating)
    is_public: Mapped[bool] = mapped_column(default=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # The incident's moments besides the declaration (started_at) and the resolution
    # (resolved_at): taken automatically, corrected by the lead (app/incidents/moments.py).
    impact_started_at: Mapped[datetime | None]
    detected_at: Mapped[datetime | None]
    engaged_at: Mapped[datetime | None]
    mitigated_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None] = mapped_column(index=True)
    scheduled_until: Mapped[datetime | None]
    auto_notify: Mapped[bool] = mapped_column(default=False)  # the automatic start notifies
    # The automatic completion notifies (Statuspage's ..._at_end, apart from ..._at_start).
    auto_notify_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A maintenance window's iCalendar SEQUENCE: raised by every change to its time, title,
    # components or cancellation, so calendar apps update the event in place (RFC 5545 3.8.7.4).
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Reminders before a window starts (Statuspage's scheduled_remind_prior and
    # scheduled_reminded_at): the minutes before its start, "1440,60"; empty: the page's
    # MAINTENANCE_REMINDERS. The tick's rows (MaintenanceNotice) make each go out once.
    remind_prior: Mapped[bool] = mapped_column(default=False, server_default=false())
    remind_minutes: Mapped[str] = mapped_column(String(40), default="", server_default="")
    reminded_at: Mapped[datetime | None]
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    commander_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cadence_minutes: Mapped[int | None]
    next_update_due_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    commander: Mapped[User | None] = relationship(foreign_keys=[commander_id])
    components: Mapped[list["IncidentComponent"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan"
    )
    updates: Mapped[list["Update"]] = relationship(
        back_populates="incident",
        order_by="[Update.posted_at, Update.id]",  # ties (same second) in posting order
        cascade="all, delete-orphan",
    )

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    def __repr__(self) -> str:
        return f"<Incident {self.public_id} {self.kind} {self.state} {self.title!r}>"


class IncidentComponent(db.Model):
    """A component an incident affects, and the status the incident gave it."""

    __tablename__ = "incident_components"
    __table_args__ = (UniqueConstraint("incident_id", "component_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ComponentStatus] = mapped_column(enum_type(ComponentStatus))

    incident: Mapped[Incident] = relationship(back_populates="components")
    component: Mapped[Component] = relationship()

    def __repr__(self) -> str:
        return f"<IncidentComponent {self.incident_id}:{self.component_id} {self.status}>"


class Update(db.Model):
    """One post by the lead. Immutable once posted: a correction is a new update."""

    __tablename__ = "updates"
    __table_args__ = (Index("ix_updates_incident_posted_at", "incident_id", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    state: Mapped[State] = mapped_column(enum_type(State))
    external_body: Mapped[str] = mapped_column(Text, default="")
    internal_body: Mapped[str] = mapped_column(Text, default="")
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    notify: Mapped[bool] = mapped_column(default=True)
    notify_stakeholders: Mapped[bool] = mapped_column(default=True)
    next_update_by: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship(back_populates="updates")
    posted_by: Mapped[User | None] = relationship()

    @property
    def is_public(self) -> bool:
        return bool(self.external_body.strip())

    def __repr__(self) -> str:
        return f"<Update {self.public_id} {self.state} on {self.incident_id}>"


class MaintenanceNotice(db.Model):
    """A notice the maintenance tick sent (or passed over, ``update_id`` empty) for a window:
    one row per window, kind, lead time and start, so neither two ticks at once nor a restart
    sends it twice; a window moved to a new start is reminded again."""

    __tablename__ = "maintenance_notices"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "lead_minutes", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "reminder"
    lead_minutes: Mapped[int]
    starts_at: Mapped[datetime]
    update_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<MaintenanceNotice {self.incident_id} {self.kind} {self.lead_minutes}m>"
