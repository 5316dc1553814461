"""Components and groups: create, rename, reorder, hide, delete, change status."""

import re

from app.core import ServiceError
from app.core.audit import record
from app.core.text import clean_line, clean_text
from app.extensions import db
from app.incidents.holds import held_over, record_status
from app.models import (
    CLOSED_STATES,
    Component,
    ComponentGroup,
    ComponentStatus,
    ComponentStatusChange,
    Incident,
    IncidentComponent,
    User,
)
from app.signals import public_changed
from app.sqltypes import utcnow

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def components_by_group() -> tuple[list[ComponentGroup], list[Component]]:
    """Groups in order (with their components) and the ungrouped components."""
    groups = list(db.session.scalars(db.select(ComponentGroup).order_by(ComponentGroup.position)))
    ungrouped = list(
        db.session.scalars(
            db.select(Component)
            .where(Component.group_id.is_(None))
            .order_by(Component.position, Component.name)
        )
    )
    return groups, ungrouped


def all_components() -> list[Component]:
    """Every component in page order."""
    groups, ungrouped = components_by_group()
    return [c for g in groups for c in g.components] + ungrouped


def public_components_in_order() -> list[tuple[str | None, Component]]:
    """(group name or None, component) for every public component, in page order: the groups
    in their order, each group's components in theirs, the ungrouped last."""
    return [(c.group.name if c.group else None, c) for c in all_components() if c.is_public]


def public_components() -> list[Component]:
    """The components the public sees, in page order."""
    query = db.select(Component).where(Component.is_public)
    return list(db.session.scalars(query.order_by(Component.position, Component.name)))


def get_component(public_id: str) -> Component | None:
    """The component with this public id."""
    return db.session.scalar(db.select(Component).filter_by(public_id=public_id))


def get_group(public_id: str) -> ComponentGroup | None:
    """The group with this public id."""
    return db.session.scalar(db.select(ComponentGroup).filter_by(public_id=public_id))


def _changed(**changed) -> None:
    """Publishing re-renders what ``changed`` names, or everything (names, order and
    visibility show on every page); flush."""
    public_changed.send(None, **(changed or {"everything": True}))
    db.session.flush()


def _clean_group(group_id) -> ComponentGroup | None:
    if not group_id:
        return None
    group = get_group(group_id)
    if group is None:
        raise ServiceError("Choose a group from the list.", field="group_id")
    return group


def _clean_fields(*, name, slug, description, component=None) -> dict:
    name = " ".join(clean_line(name).split())
    if not name or len(name) > 120:
        raise ServiceError("Give the component a name (up to 120 characters).", field="name")
    slug = (slug or "").strip().lower() or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not _SLUG.match(slug):
        raise ServiceError("A slug is lower-case letters, digits and dashes.", field="slug")
    clash = db.session.scalar(db.select(Component.id).filter_by(slug=slug))
    if clash and (component is None or clash != component.id):
        raise ServiceError(f"Another component already uses the slug {slug!r}.", field="slug")
    return {"name": name, "slug": slug, "description": clean_text(description).strip() or None}


def _siblings(group: ComponentGroup | None):
    if group is None:
        return Component.group_id.is_(None)
    return Component.group_id == group.id


def create_component(
    *,
    name: str,
    actor: User,
    slug: str = "",
    description: str = "",
    group_id: str | None = None,
    is_public: bool = True,
) -> Component:
    """Add an operational component at the end of its group."""
    fields = _clean_fields(name=name, slug=slug, description=description)
    group = _clean_group(group_id)
    last = db.session.scalar(db.select(db.func.max(Component.position)).where(_siblings(group)))
    component = Component(**fields, group=group, is_public=is_public, position=(last or 0) + 1)
    db.session.add(component)
    db.session.add(
        ComponentStatusChange(component=component, status=ComponentStatus.operational, at=utcnow())
    )
    record("component.create", actor=actor, obj=component, detail={"name": component.name})
    _changed()
    return component


def edit_component(
    component: Component,
    *,
    name: str,
    actor: User,
    slug: str = "",
    description: str = "",
    group_id: str | None = None,
    is_public: bool = True,
) -> Component:
    """Rename, describe, regroup, hide or show a component."""
    fields = _clean_fields(name=name, slug=slug, description=description, component=component)
    group = _clean_group(group_id)
    for key, value in fields.items():
        setattr(component, key, value)
    component.group = group
    component.is_public = is_public
    record("component.edit", actor=actor, obj=component, detail=fields | {"public": is_public})
    _changed()
    return component


def change_component_status(component: Component, *, status: str, actor: User) -> Component:
    """Set a component's status directly (outside an update); the change is recorded. A
    status better than an open incident holds the component at is refused, naming it."""
    try:
        status = ComponentStatus(status)
    except ValueError:
        raise ServiceError(f"{status!r} is not a component status.", field="status") from None
    if status == component.status:
        raise ServiceError(f"{component.name} is already {status}.", field="status")
    hold = held_over(component, status)
    if hold is not None:  # the page would contradict the incident's own words
        raise ServiceError(
            f"{hold.says(component)}; post an update or resolve it there.", field="status"
        )
    record_status(component, status, at=utcnow())
    record("component.status", actor=actor, obj=component, detail={"status": status.value})
    _changed(components=[component.public_id])
    return component


def move_component(component: Component, *, direction: int, actor: User) -> None:
    """Swap a component with its neighbour above (-1) or below (+1) in its group."""
    siblings = list(
        db.session.scalars(
            db.select(Component)
            .where(_siblings(component.group))
            .order_by(Component.position, Component.name)
        )
    )
    index = siblings.index(component)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(siblings):
        raise ServiceError("It is already at the end.", field="position")
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    record("component.move", actor=actor, obj=component, detail={"direction": direction})
    _changed()


def delete_component(component: Component, *, actor: User) -> None:
    """Remove a component, refused while an open incident or maintenance uses it."""
    in_use = db.session.scalar(
        db.select(Incident.title)
        .join(IncidentComponent)
        .where(IncidentComponent.component_id == component.id)
        .where(Incident.state.not_in([s.value for s in CLOSED_STATES]))
        .limit(1)
    )
    if in_use:
        raise ServiceError(f"“{in_use}” is open and uses {component.name}; close it first.")
    record("component.delete", actor=actor, obj=component, detail={"name": component.name})
    db.session.delete(component)
    _changed()


def create_group(*, name: str, actor: User) -> ComponentGroup:
    """Add a component group at the end."""
    name = _clean_group_name(name)
    last = db.session.scalar(db.select(db.func.max(ComponentGroup.position)))
    group = ComponentGroup(name=name, position=(last or 0) + 1)
    db.session.add(group)
    record("group.create", actor=actor, obj=group, detail={"name": name})
    _changed()
    return group


def rename_group(group: ComponentGroup, *, name: str, actor: User) -> ComponentGroup:
    """Rename a component group."""
    group.name = _clean_group_name(name, group=group)
    record("group.rename", actor=actor, obj=group, detail={"name": group.name})
    _changed()
    return group


def move_group(group: ComponentGroup, *, direction: int, actor: User) -> None:
    """Swap a group with its neighbour above (-1) or below (+1)."""
    groups, _ = components_by_group()
    index = groups.index(group)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(groups):
        raise ServiceError("It is already at the end.", field="position")
    groups[index], groups[other] = groups[other], groups[index]
    for position, each in enumerate(groups):
        each.position = position
    record("group.move", actor=actor, obj=group, detail={"direction": direction})
    _changed()


def delete_group(group: ComponentGroup, *, actor: User) -> None:
    """Remove a group; its components stay, ungrouped."""
    for component in list(group.components):
        component.group = None
    record("group.delete", actor=actor, obj=group, detail={"name": group.name})
    db.session.delete(group)
    _changed()


def _clean_group_name(name, group=None) -> str:
    name = " ".join(clean_line(name).split())
    if not name or len(name) > 120:
        raise ServiceError("Give the group a name (up to 120 characters).", field="name")
    clash = db.session.scalar(db.select(ComponentGroup.id).filter_by(name=name))
    if clash and (group is None or clash != group.id):
        raise ServiceError(f"There is already a group named {name!r}.", field="name")
    return name


SLO_RANGE = (90.0, 99.999)  # percent: below 90 is no target, 100 leaves no budget at all


def set_availability_target(component: Component, *, target, actor: User) -> Component:
    """Set (or, with None, clear) the component's availability target in percent."""
    if target is not None:
        low, high = SLO_RANGE
        if not (isinstance(target, int | float) and low <= target <= high):
            raise ServiceError(
                f"Give the target as a percentage from {low:g} to {high:g}, e.g. 99.9; "
                "leave it blank for none.",
                field="target",
            )
        target = round(float(target), 3)
    if target == component.slo_target:
        raise ServiceError("Nothing changed.", field="target")
    before, component.slo_target = component.slo_target, target
    record("component.target", actor=actor, obj=component, detail={"target": [before, target]})
    db.session.flush()
    return component
