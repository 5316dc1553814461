"""What an alert does on a component: the admin's choice, audited."""

from app.core import ServiceError
from app.core.audit import record
from app.extensions import db
from app.models import AlertMode, Component, User


def set_alert_mode(component: Component, *, mode: str, actor: User) -> Component:
    """Choose ``suggest`` or ``automatic`` for the component's alerts; one commit."""
    if mode not in [m.value for m in AlertMode]:
        raise ServiceError("Choose what an alert does: suggest or automatic.", field="alert_mode")
    if component.alert_mode == mode:
        return component
    component.alert_mode = mode
    record("component.alert_mode", actor=actor, obj=component, detail={"alert_mode": mode})
    db.session.commit()
    return component
