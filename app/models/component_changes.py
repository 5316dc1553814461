"""A component's status changed outside an update (the console, the API, Alertmanager): the
facts its ``component_update`` webhooks carry, written in the transaction of the change."""

from datetime import datetime

from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.components import Component
from app.models.enums import ComponentStatus
from app.sqltypes import public_id_column, utcnow


def _status(name: str) -> SAEnum:
    """``enum_type(ComponentStatus)`` under its own name: two columns of one table cannot share
    the name of their CHECK constraint."""
    return SAEnum(
        ComponentStatus,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in ComponentStatus),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        name=name,
    )


class ComponentChange(db.Model):
    __tablename__ = "component_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Statuspage's ``component_update.id``.
    public_id: Mapped[str] = public_id_column()
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), index=True
    )
    old_status: Mapped[ComponentStatus] = mapped_column(_status("old_status"))
    new_status: Mapped[ComponentStatus] = mapped_column(_status("new_status"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    component: Mapped[Component] = relationship()

    def __repr__(self) -> str:
        return f"<ComponentChange {self.component_id} {self.old_status}->{self.new_status}>"
