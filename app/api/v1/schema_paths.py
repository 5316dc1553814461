"""The paths of the management API's OpenAPI document."""

import functools

from app.api.v1.params import MAX_LIMIT, MAX_PAGE, MAX_SEARCH


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name, schema, where="path", **more):
    return {"name": name, "in": where, "required": where == "path", "schema": schema} | more


PAGE_ID = _param("page_id", {"type": "string", "enum": ["crier"]}, description="Always crier")
PAGING = [
    _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "query"),
    _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "query"),
]


def _search(most: int) -> list:
    return [_param("q", {"type": "string", "maxLength": most}, "query"), *PAGING]


SEARCH = _search(MAX_SEARCH)


def _op(summary, ok, *, errors, code="200", params=(), body=None, public=False):
    responses = {code: {"description": "OK"}}
    if ok is not None:
        responses[code]["content"] = {"application/json": {"schema": ok}}
    responses |= {
        status: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
        for status, text in errors.items()
    }
    op = {"summary": summary, "parameters": list(params), "responses": responses}
    if body is not None:  # the wrapper's request body (app.api.v1.schema_bodies)
        op["requestBody"] = {"$ref": f"#/components/requestBodies/{body}"}
    if public:
        op["security"] = []
    return op


def _alertmanager(errors: dict) -> dict:
    """``POST /alertmanager``: Alertmanager's own webhook body (version 4), not wrapped."""
    outcome = {
        "type": "object",
        "properties": {
            "changed": {"type": "integer", "minimum": 0},
            "unchanged": {"type": "integer", "minimum": 0},
            "unknown_components": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 1},
                "description": "Alerts per component label value that names no component",
            },
            "ignored": {"type": "integer", "minimum": 0},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"index": {"type": "integer"}, "error": {"type": "string"}},
                    "required": ["index", "error"],
                },
                "description": "Each malformed alert left out, by its index",
            },
        },
        "required": ["changed", "unchanged", "unknown_components", "ignored", "errors"],
    }
    wanted = ["400", "401", "403", "413", "429"]
    op = _op(
        "Alertmanager's webhook receiver (payload version 4, a lead key)",
        outcome,
        errors={code: errors[code] for code in wanted}
        | {"503": "The same alerts were being recorded at once; retry after Retry-After."},
    )
    op["requestBody"] = {"$ref": "#/components/requestBodies/alertmanager"}
    return {"post": op}


def _list(name):
    return {"type": "array", "items": _ref(name)}


def paths(*, errors: dict) -> dict:
    """Every path; ``errors`` maps each 4xx to its meaning."""
    op = functools.partial(_op, errors=errors)
    page = [PAGE_ID]
    cid = [PAGE_ID, _param("component_id", {"type": "string", "maxLength": 40})]
    gid = [PAGE_ID, _param("id", {"type": "string", "maxLength": 40})]
    iid = [PAGE_ID, _param("incident_id", {"type": "string", "maxLength": 40})]
    uid = [*iid, _param("incident_update_id", {"type": "string", "maxLength": 40})]
    sid = [PAGE_ID, _param("subscriber_id", {"type": "string", "maxLength": 40})]
    component_body, group_body, incident_body = "component", "component_group", "incident"
    update_body = "incident_update"
    unsubscribe = op("Unsubscribe several subscribers (admin)", {"type": "object"}, params=page,
                     body="subscribers")  # fmt: skip
    lists = {
        "unresolved": "Open incidents",
        "upcoming": "Maintenance windows not started whose start is ahead",
        "scheduled": "Maintenance windows not started",
        "active_maintenance": "Maintenance windows in progress or verifying",
    }
    result = {
        "/openapi.json": {"get": op("This document", {"type": "object"}, public=True)},
        "/alertmanager": _alertmanager(errors),
        "/pages/{page_id}": {"get": op("The page", _ref("Page"), params=page)},
        "/pages/{page_id}/components": {
            "get": op("Components in page order", _list("Component"), params=[*page, *PAGING]),
            "post": op(
                "Create a component (admin)",
                _ref("Component"),
                code="201",
                params=page,
                body=component_body,
            ),
        },
        "/pages/{page_id}/components/{component_id}": {
            "get": op("A component", _ref("Component"), params=cid),
            "patch": op(
                "Change status (lead) or name, description, group, showcase (admin)",
                _ref("Component"),
                params=cid,
                body=component_body,
            ),
            "put": op("As PATCH", _ref("Component"), params=cid, body=component_body),
            "delete": op("Delete a component (admin)", None, code="204", params=cid),
        },
        "/pages/{page_id}/component-groups": {
            "get": op("Component groups", _list("ComponentGroup"), params=[*page, *PAGING]),
            "post": op(
                "Create a group (admin)",
                _ref("ComponentGroup"),
                code="201",
                params=page,
                body=group_body,
            ),
        },
        "/pages/{page_id}/component-groups/{id}": {
            "get": op("A component group", _ref("ComponentGroup"), params=gid),
            "patch": op(
                "Rename a group or set its components (admin)",
                _ref("ComponentGroup"),
                params=gid,
                body=group_body,
            ),
            "put": op("As PATCH", _ref("ComponentGroup"), params=gid, body=group_body),
            "delete": op(
                "Delete a group; its components stay (admin)", None, code="204", params=gid
            ),
        },
        "/pages/{page_id}/incidents": {
            "get": op(
                "Incidents and maintenance, newest first",
                _list("Incident"),
                params=[*page, *SEARCH],
            ),
            "post": op(
                "Declare an incident or schedule a maintenance",
                _ref("Incident"),
                code="201",
                params=page,
                body=incident_body,
            ),
        },
        "/pages/{page_id}/incidents/{incident_id}": {
            "get": op("An incident", _ref("Incident"), params=iid),
            "patch": op(
                "Edit and/or post an update", _ref("Incident"), params=iid, body=incident_body
            ),
            "put": op("As PATCH", _ref("Incident"), params=iid, body=incident_body),
            "delete": op(
                "Cancel a maintenance not finished (admin); incidents stay (409)",
                _ref("Incident"),
                params=iid,
            ),
        },
        "/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}": {
            "patch": op(
                "Correct an update's public text",
                _ref("IncidentUpdate"),
                params=uid,
                body=update_body,
            ),
            "put": op("As PATCH", _ref("IncidentUpdate"), params=uid, body=update_body),
        },
        "/pages/{page_id}/subscribers": {
            "get": op(
                "Subscribers (admin)",
                _list("Subscriber"),
                params=[
                    *page,
                    *_search(254),  # an address is up to 254 characters
                    _param(
                        "state",
                        {"enum": ["active", "unconfirmed", "quarantined", "unsubscribed", "all"]},
                        "query",
                    ),
                ],
            ),
            "post": op(
                "Subscribe an address (double opt-in)",
                _ref("Subscriber"),
                code="201",
                params=page,
                body="subscriber",
            ),
        },
        "/pages/{page_id}/subscribers/unsubscribe": {"post": unsubscribe},
        "/pages/{page_id}/subscribers/{subscriber_id}": {
            "get": op("A subscriber (admin)", _ref("Subscriber"), params=sid),
            "delete": op("Unsubscribe (admin)", _ref("Subscriber"), params=sid),
        },
    }
    for name, summary in lists.items():
        result[f"/pages/{{page_id}}/incidents/{name}"] = {
            "get": op(summary, _list("Incident"), params=[*page, *SEARCH])
        }
    return result
