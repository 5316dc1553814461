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


def _op(name, summary, ok, *, errors, code="200", params=(), body=None, links=None, public=False):
    """An operation; ``name`` is its operationId, the name of the Flask view that serves it
    (``replace_*`` for a PUT beside the PATCH's ``update_*``)."""
    responses = {code: {"description": "OK"}}
    if ok is not None:
        responses[code]["content"] = {"application/json": {"schema": ok}}
    if links:
        responses[code]["links"] = links
    responses |= {
        status: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
        for status, text in errors.items()
    }
    op = {
        "operationId": name,
        "summary": summary,
        "parameters": list(params),
        "responses": responses,
    }
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
        "receive_alertmanager",
        "Alertmanager's webhook receiver (payload version 4, a lead key)",
        outcome,
        errors={code: errors[code] for code in wanted}
        | {"503": "The same alerts were being recorded at once; retry after Retry-After."},
    )
    op["requestBody"] = {"$ref": "#/components/requestBodies/alertmanager"}
    return {"post": op}


def _list(name):
    return {"type": "array", "items": _ref(name)}


SUBSCRIBER_STATE = _param(
    "state", {"enum": ["active", "unconfirmed", "quarantined", "unsubscribed", "all"]}, "query"
)
# The views an object's links lead to, by what they do: show_x, update_x (PATCH), replace_x
# (PUT), delete_x.
_VERBS = {"show": "Show", "update": "Update", "replace": "Replace", "delete": "Delete"}
EDITS = ("show", "update", "replace")


def _link(operation: str, **parameters: str) -> dict:
    return {
        "operationId": operation,
        "parameters": {"page_id": "$request.path.page_id"} | parameters,
    }


def _object_links(noun: str, param: str, verbs=(*EDITS, "delete")) -> dict:
    """Links from an answer carrying the object to what may be done with it next."""
    pascal = "".join(part.title() for part in noun.split("_"))
    return {
        f"{_VERBS[verb]}{pascal}": _link(f"{verb}_{noun}", **{param: "$response.body#/id"})
        for verb in verbs
    }


def _first(noun: str, param: str) -> dict:
    """A list's link to its first object."""
    pascal = "".join(part.title() for part in noun.split("_"))
    return {f"ShowFirst{pascal}": _link(f"show_{noun}", **{param: "$response.body#/0/id"})}


def _update_link(name: str) -> dict:
    """An incident's link to correcting its newest update (Statuspage lists them newest
    first)."""
    return {
        name: _link(
            "update_incident_update",
            incident_id="$response.body#/id",
            incident_update_id="$response.body#/incident_updates/0/id",
        )
    }


PER_PAGE = _param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "query")


def _page_access(op, page) -> dict:
    """Statuspage's page access groups (Crier's audiences) and users (addresses they admit)."""
    pid = {"type": "string", "maxLength": 40}
    gid = [*page, _param("page_access_group_id", pid)]
    cid = [*gid, _param("component_id", pid)]
    uid = [*page, _param("page_access_user_id", pid)]
    group, user = _ref("PageAccessGroup"), _ref("PageAccessUser")
    groups = "/pages/{page_id}/page_access_groups"
    users = "/pages/{page_id}/page_access_users"
    email = _param("email", {"type": "string", "maxLength": 254}, "query")
    return {
        groups: {
            "get": op("list_page_access_groups", "Page access groups (audiences; admin)",
                      _list("PageAccessGroup"), params=[*page, PAGING[1], PER_PAGE],
                      links=_first("page_access_group", "page_access_group_id")),
            "post": op("create_page_access_group", "Create a page access group (admin)", group,
                       code="201", params=page, body="page_access_group",
                       links=_object_links("page_access_group", "page_access_group_id")),
        },
        f"{groups}/{{page_access_group_id}}": {
            "get": op("show_page_access_group", "A page access group (admin)", group,
                      params=gid),
            "patch": op("update_page_access_group", "Change the fields given (admin)", group,
                        params=gid, body="page_access_group"),
            "put": op("replace_page_access_group", "As PATCH", group, params=gid,
                      body="page_access_group"),
            "delete": op("delete_page_access_group", "Delete a page access group (admin)",
                         group, params=gid),
        },
        f"{groups}/{{page_access_group_id}}/components": {
            "get": op("list_page_access_group_components", "The group's components (admin)",
                      _list("Component"), params=[*gid, PAGING[1], PER_PAGE]),
            "patch": op("update_page_access_group_components", "Add components (admin)", group,
                        params=gid, body="component_ids"),
            "put": op("replace_page_access_group_components", "As PATCH", group, params=gid,
                      body="component_ids"),
            "post": op("set_page_access_group_components",
                       "Make these exactly the group's components (admin)", group, params=gid,
                       body="component_ids"),
            "delete": op("remove_page_access_group_components", "Remove components (admin)",
                         group, params=gid, body="component_ids"),
        },
        f"{groups}/{{page_access_group_id}}/components/{{component_id}}": {
            "delete": op("remove_page_access_group_component", "Remove one component (admin)",
                         group, params=cid),
        },
        users: {
            "get": op("list_page_access_users", "Page access users (admin)",
                      _list("PageAccessUser"), params=[*page, email, PAGING[1], PER_PAGE],
                      links=_first("page_access_user", "page_access_user_id")),
            "post": op("create_page_access_user", "Admit an address to groups (admin)", user,
                       code="201", params=page, body="page_access_user",
                       links=_object_links("page_access_user", "page_access_user_id")),
        },
        f"{users}/{{page_access_user_id}}": {
            "get": op("show_page_access_user", "A page access user (admin)", user, params=uid),
            "patch": op("update_page_access_user", "Change the address or its groups (admin)",
                        user, params=uid, body="page_access_user"),
            "put": op("replace_page_access_user", "As PATCH", user, params=uid,
                      body="page_access_user"),
            "delete": op("delete_page_access_user", "No group admits the address (admin)",
                         None, code="204", params=uid),
        },
    }  # fmt: skip


def paths(*, errors: dict) -> dict:
    """Every path; ``errors`` maps each 4xx to its meaning."""
    op = functools.partial(_op, errors=errors)
    page = [PAGE_ID]
    cid = [PAGE_ID, _param("component_id", {"type": "string", "maxLength": 40})]
    gid = [PAGE_ID, _param("id", {"type": "string", "maxLength": 40})]
    iid = [PAGE_ID, _param("incident_id", {"type": "string", "maxLength": 40})]
    uid = [*iid, _param("incident_update_id", {"type": "string", "maxLength": 40})]
    sid = [PAGE_ID, _param("subscriber_id", {"type": "string", "maxLength": 40})]
    unsubscribe = op("unsubscribe_subscribers", "Unsubscribe several subscribers (admin)",
                     {"type": "object"}, params=page, body="subscribers")  # fmt: skip
    lists = {
        "unresolved": ("list_unresolved_incidents", "Open incidents"),
        "upcoming": (
            "list_upcoming_incidents",
            "Maintenance windows not started whose start is ahead",
        ),
        "scheduled": ("list_scheduled_incidents", "Maintenance windows not started"),
        "active_maintenance": (
            "list_active_maintenance",
            "Maintenance windows in progress or verifying",
        ),
    }
    result = {
        "/openapi.json": {
            "get": op("show_openapi", "This document", {"type": "object"}, public=True)
        },
        "/alertmanager": _alertmanager(errors),
        "/pages/{page_id}": {"get": op("show_page", "The page", _ref("Page"), params=page)},
        "/pages/{page_id}/components": {
            "get": op("list_components", "Components in page order", _list("Component"),
                      params=[*page, *PAGING], links=_first("component", "component_id")),
            "post": op("create_component", "Create a component (admin)", _ref("Component"),
                       code="201", params=page, body="component",
                       links=_object_links("component", "component_id")),
        },
        "/pages/{page_id}/components/{component_id}": {
            "get": op("show_component", "A component", _ref("Component"), params=cid),
            "patch": op("update_component",
                        "Change status (lead) or name, description, group, showcase (admin)",
                        _ref("Component"), params=cid, body="component"),
            "put": op("replace_component", "As PATCH", _ref("Component"), params=cid,
                      body="component"),
            "delete": op("delete_component", "Delete a component (admin)", None, code="204",
                         params=cid),
        },
        "/pages/{page_id}/component-groups": {
            "get": op("list_component_groups", "Component groups", _list("ComponentGroup"),
                      params=[*page, *PAGING], links=_first("component_group", "id")),
            "post": op("create_component_group", "Create a group (admin)",
                       _ref("ComponentGroup"), code="201", params=page, body="component_group",
                       links=_object_links("component_group", "id")),
        },
        "/pages/{page_id}/component-groups/{id}": {
            "get": op("show_component_group", "A component group", _ref("ComponentGroup"),
                      params=gid),
            "patch": op("update_component_group", "Rename a group or set its components (admin)",
                        _ref("ComponentGroup"), params=gid, body="component_group"),
            "put": op("replace_component_group", "As PATCH", _ref("ComponentGroup"),
                      params=gid, body="component_group"),
            "delete": op("delete_component_group", "Delete a group; its components stay (admin)",
                         None, code="204", params=gid),
        },
        "/pages/{page_id}/incidents": {
            "get": op("list_incidents", "Incidents and maintenance, newest first",
                      _list("Incident"), params=[*page, *SEARCH],
                      links=_first("incident", "incident_id")),
            "post": op("create_incident", "Declare an incident or schedule a maintenance",
                       _ref("Incident"), code="201", params=page, body="incident",
                       links=_object_links("incident", "incident_id")
                       | _update_link("CorrectTheFirstUpdate")),
        },
        "/pages/{page_id}/incidents/{incident_id}": {
            "get": op("show_incident", "An incident", _ref("Incident"), params=iid),
            "patch": op("update_incident", "Edit and/or post an update", _ref("Incident"),
                        params=iid, body="incident",
                        links=_object_links("incident", "incident_id", EDITS)
                        | _update_link("CorrectTheLatestUpdate")),
            "put": op("replace_incident", "As PATCH", _ref("Incident"), params=iid,
                      body="incident"),
            "delete": op("delete_incident",
                         "Cancel a maintenance not finished (admin); incidents stay (409)",
                         _ref("Incident"), params=iid),
        },
        "/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}": {
            "patch": op("update_incident_update", "Correct an update's public text",
                        _ref("IncidentUpdate"), params=uid, body="incident_update"),
            "put": op("replace_incident_update", "As PATCH", _ref("IncidentUpdate"),
                      params=uid, body="incident_update"),
        },
        "/pages/{page_id}/subscribers": {
            "get": op("list_subscribers", "Subscribers (admin)", _list("Subscriber"),
                      params=[*page, *_search(254), SUBSCRIBER_STATE],  # an address: 254
                      links=_first("subscriber", "subscriber_id")),
            "post": op("create_subscriber", "Subscribe an address (double opt-in)",
                       _ref("Subscriber"), code="201", params=page, body="subscriber",
                       links=_object_links("subscriber", "subscriber_id", ("show", "delete"))),
        },
        "/pages/{page_id}/subscribers/unsubscribe": {"post": unsubscribe},
        "/pages/{page_id}/subscribers/{subscriber_id}": {
            "get": op("show_subscriber", "A subscriber (admin)", _ref("Subscriber"), params=sid),
            "delete": op("delete_subscriber", "Unsubscribe (admin)", _ref("Subscriber"),
                         params=sid),
        },
    }  # fmt: skip
    result |= _page_access(op, page)
    for path, (name, summary) in lists.items():
        result[f"/pages/{{page_id}}/incidents/{path}"] = {
            "get": op(name, summary, _list("Incident"), params=[*page, *SEARCH])
        }
    return result
