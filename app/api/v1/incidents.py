"""Incidents and maintenance windows: read with any key, write with a lead key, delete with
an admin key. Writes are the console's verbs (declare, post, resolve, schedule, start...), so
validation, reminders, fan-out, publishing and the audit log work as they do there."""

from flask import abort, g, jsonify

from app.api.v1 import bp, params
from app.api.v1.incident_writes import change_incident, open_incident, remove_incident
from app.api.v1.shapes import incident_shape, update_shape
from app.api.v1.validation import validated
from app.auth.api_keys import acting_user, require_scope
from app.core.uow import transactional
from app.incidents.lifecycle import get_incident
from app.incidents.queries import incident_page, update_on
from app.incidents.updates import correct_update_text
from app.models import Incident, Role


def find_incident(incident_id: str) -> Incident:
    """The incident or maintenance with this id, or a 404."""
    incident = get_incident(incident_id) if params.is_id(incident_id) else None
    if incident is None:
        abort(404, description="There is no incident with that id.")
    return incident


def _listing(which: str):
    limit, page = params.paging()
    found = incident_page(which, title=params.search(), limit=limit, offset=(page - 1) * limit)
    return jsonify([incident_shape(i) for i in found])


@bp.get("/pages/<page_id>/incidents")
@require_scope(Role.lead)
def list_incidents():
    """Every incident and maintenance, newest first; ``q`` searches the titles."""
    return _listing("all")


@bp.get("/pages/<page_id>/incidents/unresolved")
@require_scope(Role.lead)
def list_unresolved_incidents():
    return _listing("unresolved")


@bp.get("/pages/<page_id>/incidents/upcoming")
@require_scope(Role.lead)
def list_upcoming_incidents():
    """Windows not started whose start is still ahead, soonest first."""
    return _listing("upcoming")


@bp.get("/pages/<page_id>/incidents/scheduled")
@require_scope(Role.lead)
def list_scheduled_incidents():
    """Every window not started yet (a late one the tick has not started included)."""
    return _listing("scheduled")


@bp.get("/pages/<page_id>/incidents/active_maintenance")
@require_scope(Role.lead)
def list_active_maintenance():
    return _listing("active_maintenance")


@bp.get("/pages/<page_id>/incidents/<incident:incident_id>")
@require_scope(Role.lead)
def show_incident(incident_id):
    return jsonify(incident_shape(find_incident(incident_id)))


@bp.post("/pages/<page_id>/incidents")
@require_scope(Role.lead)
@transactional
def create_incident():
    """Declare an incident, or schedule a maintenance (``status: scheduled`` or a window)."""
    incident = open_incident(validated("incident"), actor=acting_user(), key=g.api_key)
    return jsonify(incident_shape(incident)), 201


@bp.route("/pages/<page_id>/incidents/<incident:incident_id>", methods=["PATCH", "PUT"])
@require_scope(Role.lead)
@transactional
def update_incident(incident_id):
    """Edit the incident and/or post an update (a new status, body or component statuses)."""
    incident = find_incident(incident_id)
    change_incident(incident, validated("incident"), actor=acting_user())
    return jsonify(incident_shape(incident))


@bp.delete("/pages/<page_id>/incidents/<incident:incident_id>")
@require_scope(Role.admin)
@transactional
def delete_incident(incident_id):
    """Cancel a maintenance window that has not finished; incidents are never deleted."""
    incident = find_incident(incident_id)
    remove_incident(incident, actor=acting_user())
    return jsonify(incident_shape(incident))


@bp.route(
    "/pages/<page_id>/incidents/<incident:incident_id>/incident_updates/<update_id>",
    methods=["PATCH", "PUT"],
)
@require_scope(Role.lead)
@transactional
def update_incident_update(incident_id, update_id):
    """Correct the public text of a posted update; nobody is notified again."""
    incident = find_incident(incident_id)
    update = update_on(incident, update_id) if params.is_id(update_id) else None
    if update is None:
        abort(404, description="There is no update with that id on this incident.")
    body = validated("incident_update")
    correct_update_text(
        update,
        actor=acting_user(),
        external_body=body["body"],
        accepted=body.get("accept_warnings") or (),
    )
    return jsonify(update_shape(update))
