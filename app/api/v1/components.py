"""Components: read with any key; statuses with a lead key; create,
edit, delete with an admin key. Each change is one call of the console's verbs."""

from flask import abort, g, jsonify

from app.api.v1 import bp, params
from app.api.v1.shapes import component_shape
from app.api.v1.validation import validated
from app.auth.api_keys import acting_user, require_scope
from app.core.uow import transactional
from app.incidents import components as service
from app.models import Role


def _component(component_id):
    component = service.get_component(component_id) if params.is_id(component_id) else None
    if component is None:
        abort(404, description="There is no component with that id.")
    return component


@bp.get("/pages/<page_id>/components")
@require_scope(Role.lead)
def list_components():
    """Every component, in page order."""
    limit, page = params.paging()
    components = service.all_components()[(page - 1) * limit : page * limit]
    return jsonify([component_shape(c) for c in components])


@bp.get("/pages/<page_id>/components/<component_id>")
@require_scope(Role.lead)
def show_component(component_id):
    return jsonify(component_shape(_component(component_id)))


@bp.post("/pages/<page_id>/components")
@require_scope(Role.admin)
@transactional
def create_component():
    """Add a component (operational); a status other than operational is then set on it."""
    obj = validated("component")
    status = obj.get("status")
    component = service.create_component(
        name=obj.get("name", ""),
        actor=acting_user(),
        description=obj.get("description", ""),
        group_id=obj.get("group_id"),
        is_public=obj.get("showcase", True),
    )
    if status and status != component.status:
        service.change_component_status(component, status=status, actor=acting_user())
    return jsonify(component_shape(component)), 201


@bp.route("/pages/<page_id>/components/<component_id>", methods=["PATCH", "PUT"])
@require_scope(Role.lead)
@transactional
def update_component(component_id):
    """Change the status (lead) or the name, description, group, showcase (admin)."""
    component = _component(component_id)
    obj = validated("component")
    status = obj.get("status")
    current = {
        "name": component.name,
        "description": component.description or "",
        "group_id": component.group.public_id if component.group else None,
        "showcase": component.is_public,
    }
    given = {k: obj[k] for k in current if k in obj}
    if given.get("group_id") == "":
        given["group_id"] = None
    changed = {
        k: v for k, v in given.items() if v != current[k] and (v is not None or k == "group_id")
    }
    if changed:
        if g.api_key.scope != Role.admin:
            abort(403, description="Renaming, describing or regrouping needs an admin key.")
        after = current | changed
        service.edit_component(
            component,
            name=after["name"],
            actor=acting_user(),
            slug=component.slug,
            description=after["description"],
            group_id=after["group_id"],
            is_public=after["showcase"],
        )
    if status and status != component.status:
        service.change_component_status(component, status=status, actor=acting_user())
    return jsonify(component_shape(component))


@bp.delete("/pages/<page_id>/components/<component_id>")
@require_scope(Role.admin)
@transactional
def delete_component(component_id):
    """Remove a component (refused while an open incident uses it)."""
    service.delete_component(_component(component_id), actor=acting_user())
    return "", 204
