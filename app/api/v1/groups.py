"""Component groups: read with any key; create, rename, regroup, delete with an admin key.

A body is ``{"component_group": {"name": …, "components": [component ids]}}``. Membership is
moved one component at a time with the console's ``edit_component`` (each its own commit),
after every id has been checked, so a bad id changes nothing.
"""

from flask import abort, jsonify

from app.api.v1 import bp, params
from app.api.v1.shapes import group_shape
from app.api.v1.validation import validated
from app.auth.api_keys import acting_user, require_scope
from app.core.uow import transactional
from app.incidents import components as service
from app.models import Role


def _group(group_id):
    group = service.get_group(group_id) if params.is_id(group_id) else None
    if group is None:
        abort(404, description="There is no component group with that id.")
    return group


def _members(obj):
    """The components named by ``components`` (None if absent), all checked first."""
    ids = obj.get("components")
    if ids is None:
        return None
    found = []
    for component_id in ids:
        component = service.get_component(component_id)
        if component is None:
            abort(422, description=f"There is no component {component_id!r}.")
        found.append(component)
    return found


def _regroup(group, members) -> None:
    """Make ``members`` exactly the group's components (others leave it, ungrouped)."""
    wanted = {c.id for c in members}
    for component in [c for c in group.components if c.id not in wanted]:
        _move(component, None)
    for component in [c for c in members if c.group_id != group.id]:
        _move(component, group.public_id)


def _move(component, group_public_id) -> None:
    service.edit_component(
        component,
        name=component.name,
        actor=acting_user(),
        slug=component.slug,
        description=component.description or "",
        group_id=group_public_id,
        is_public=component.is_public,
    )


@bp.get("/pages/<page_id>/component-groups")
@require_scope(Role.lead)
def list_component_groups():
    groups, _ = service.components_by_group()
    limit, page = params.paging()
    return jsonify([group_shape(g) for g in groups[(page - 1) * limit : page * limit]])


@bp.get("/pages/<page_id>/component-groups/<group_id>")
@require_scope(Role.lead)
def show_component_group(group_id):
    return jsonify(group_shape(_group(group_id)))


@bp.post("/pages/<page_id>/component-groups")
@require_scope(Role.admin)
@transactional
def create_component_group():
    """Add a group, at the end, and move the named components into it."""
    obj = validated("component_group")
    members = _members(obj) or []
    group = service.create_group(name=obj.get("name", ""), actor=acting_user())
    _regroup(group, members)
    return jsonify(group_shape(group)), 201


@bp.route("/pages/<page_id>/component-groups/<group_id>", methods=["PATCH", "PUT"])
@require_scope(Role.admin)
@transactional
def update_component_group(group_id):
    """Rename a group and/or set which components are in it."""
    group = _group(group_id)
    obj = validated("component_group")
    name, members = obj.get("name"), _members(obj)
    if name is not None and name != group.name:
        service.rename_group(group, name=name, actor=acting_user())
    if members is not None:
        _regroup(group, members)
    return jsonify(group_shape(group))


@bp.delete("/pages/<page_id>/component-groups/<group_id>")
@require_scope(Role.admin)
@transactional
def delete_component_group(group_id):
    """Remove a group; its components stay, ungrouped."""
    service.delete_group(_group(group_id), actor=acting_user())
    return "", 204
