"""Components, their groups and the status history behind the uptime bars."""

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.enums import ComponentStatus
from app.sqltypes import enum_type, public_id_column, utcnow


class ComponentGroup(db.Model):
    __tablename__ = "component_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    components: Mapped[list["Component"]] = relationship(
        back_populates="group", order_by="Component.position"
    )

    def __repr__(self) -> str:
        return f"<ComponentGroup {self.name!r}>"


class Component(db.Model):
    __tablename__ = "components"
    __table_args__ = (Index("ix_components_group_position", "group_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("component_groups.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[ComponentStatus] = mapped_column(
        enum_type(ComponentStatus), default=ComponentStatus.operational
    )
    is_public: Mapped[bool] = mapped_column(default=True)
    only_show_if_degraded: Mapped[bool] = mapped_column(default=False)
    # What an Alertmanager alert on this component does: "suggest" or "automatic".
    alert_mode: Mapped[str] = mapped_column(String(9), default="suggest", server_default="suggest")
    start_date: Mapped[date | None]
    # The availability target (an SLO), in percent, e.g. 99.9; None: no target.
    slo_target: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group: Mapped[ComponentGroup | None] = relationship(back_populates="components")

    def __repr__(self) -> str:
        return f"<Component {self.slug} {self.status}>"


class ComponentStatusChange(db.Model):
    """A component entered ``status`` at ``at``; consecutive rows make the uptime history."""

    __tablename__ = "component_status_changes"
    __table_args__ = (Index("ix_component_status_changes_component_at", "component_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    status: Mapped[ComponentStatus] = mapped_column(enum_type(ComponentStatus))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("updates.id", ondelete="SET NULL"), index=True
    )

    component: Mapped[Component] = relationship()

    def __repr__(self) -> str:
        return f"<ComponentStatusChange {self.component_id} {self.status} at {self.at}>"
