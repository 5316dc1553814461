"""What an alert does on a component: the admin's choice, audited."""

from app.core import ServiceError
from app.core.audit import record
from app.incidents import components
from app.models import AlertMode, Component, User


def _stage(component: Component, mode: str, actor: User) -> None:
    """Check ``mode`` and set it in the session (audited when it changes); no commit."""
    if mode not in [m.value for m in AlertMode]:
        raise ServiceError("Choose what an alert does: suggest or automatic.", field="alert_mode")
    if component.alert_mode != mode:
        component.alert_mode = mode
        record("component.alert_mode", actor=actor, obj=component, detail={"alert_mode": mode})


def edit_component(component: Component, *, alert_mode: str, actor: User, **fields) -> Component:
    """The console's component form: rename, describe, regroup, hide or show the component
    (``components.edit_component``) and choose what its alerts do, in the caller's one unit of
    work; a refused edit changes neither (the unit of work rolls both back)."""
    _stage(component, alert_mode, actor)
    components.edit_component(component, actor=actor, **fields)
    return component
