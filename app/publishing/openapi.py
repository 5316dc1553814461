"""The OpenAPI 3.1 document of the Statuspage-compatible API at /api/v2/openapi.json."""

TIMESTAMP = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$",
    "description": "ISO 8601 with milliseconds and the page's UTC offset",
}
NULLABLE_TIMESTAMP = {"anyOf": [TIMESTAMP, {"type": "null"}]}
TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": ["string", "null"]}
COMPONENT_STATUS = {
    "enum": [
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    ]
}
INCIDENT_STATUS = {
    "enum": [
        *("investigating", "identified", "monitoring", "resolved", "postmortem"),
        *("scheduled", "in_progress", "verifying", "completed"),
    ]
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties, extra=None):
    props = dict(properties, **(extra or {}))
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


_COMPONENT = {
    "id": TEXT,
    "name": TEXT,
    "status": COMPONENT_STATUS,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "position": {"type": "integer"},
    "description": NULLABLE_TEXT,
    "showcase": {"type": "boolean"},
    "start_date": {"type": ["string", "null"], "format": "date"},
    "group_id": NULLABLE_TEXT,
    "page_id": TEXT,
    "group": {"type": "boolean"},
    "only_show_if_degraded": {"type": "boolean"},
}
_AFFECTED = _object(
    {"code": TEXT, "name": TEXT, "old_status": {"anyOf": [COMPONENT_STATUS, {"type": "null"}]}},
    {"new_status": COMPONENT_STATUS},
)
_UPDATE = {
    "id": TEXT,
    "status": INCIDENT_STATUS,
    "body": TEXT,
    "incident_id": TEXT,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "display_at": TIMESTAMP,
    "affected_components": {"anyOf": [{"type": "array", "items": _AFFECTED}, {"type": "null"}]},
    "deliver_notifications": {"type": "boolean"},
    "custom_tweet": NULLABLE_TEXT,
    "tweet_id": NULLABLE_TEXT,
}
_INCIDENT = {
    "id": TEXT,
    "name": TEXT,
    "status": INCIDENT_STATUS,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "monitoring_at": NULLABLE_TIMESTAMP,
    "resolved_at": NULLABLE_TIMESTAMP,
    "impact": {"enum": ["none", "minor", "major", "critical"]},
    "shortlink": TEXT,
    "started_at": TIMESTAMP,
    "page_id": TEXT,
    "incident_updates": {"type": "array", "items": _ref("IncidentUpdate")},
    "components": {"type": "array", "items": _ref("Component")},
}

SCHEMAS = {
    "Page": _object(
        {"id": TEXT, "name": TEXT, "url": TEXT, "time_zone": TEXT, "updated_at": TIMESTAMP}
    ),
    "Status": _object(
        {
            "indicator": {"enum": ["none", "minor", "major", "critical", "maintenance"]},
            "description": TEXT,
        }
    ),
    "Component": _object(_COMPONENT),
    "ComponentGroup": _object(_COMPONENT, {"components": {"type": "array", "items": TEXT}}),
    "AnyComponent": {"oneOf": [_ref("Component"), _ref("ComponentGroup")]},
    "IncidentUpdate": _object(_UPDATE),
    "Incident": _object(_INCIDENT),
    "ScheduledMaintenance": _object(
        _INCIDENT, {"scheduled_for": NULLABLE_TIMESTAMP, "scheduled_until": NULLABLE_TIMESTAMP}
    ),
}
# Groups differ from components by group: true and their member list.
SCHEMAS["Component"]["properties"]["group"] = {"const": False}
SCHEMAS["ComponentGroup"]["properties"]["group"] = {"const": True}


def _list(key, item):
    return {key: {"type": "array", "items": _ref(item)}}


ENDPOINTS = {
    "summary.json": (
        "Page status, components, unresolved incidents and upcoming or active maintenance",
        {"page": _ref("Page"), "status": _ref("Status")}
        | _list("components", "AnyComponent")
        | _list("incidents", "Incident")
        | _list("scheduled_maintenances", "ScheduledMaintenance"),
    ),
    "status.json": ("The page's overall status", {"page": _ref("Page"), "status": _ref("Status")}),
    "components.json": (
        "Components and groups",
        {"page": _ref("Page")} | _list("components", "AnyComponent"),
    ),
    "incidents.json": (
        "The 50 most recent incidents",
        {"page": _ref("Page")} | _list("incidents", "Incident"),
    ),
    "incidents/unresolved.json": (
        "Incidents not yet resolved",
        {"page": _ref("Page")} | _list("incidents", "Incident"),
    ),
}
for _name, _summary in [
    ("scheduled-maintenances.json", "The 50 most recent scheduled maintenances"),
    ("scheduled-maintenances/upcoming.json", "Maintenance scheduled and not yet started"),
    ("scheduled-maintenances/active.json", "Maintenance in progress or being verified"),
]:
    ENDPOINTS[_name] = (
        _summary,
        {"page": _ref("Page")} | _list("scheduled_maintenances", "ScheduledMaintenance"),
    )


def openapi_document(base_url: str) -> dict:
    """The OpenAPI document; every response schema forbids keys Statuspage does not have."""
    paths = {}
    for name, (summary, properties) in ENDPOINTS.items():
        schema = {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }
        paths[f"/{name}"] = {
            "get": {
                "summary": summary,
                "operationId": name.removesuffix(".json").replace("/", "_").replace("-", "_"),
                "responses": {
                    "200": {
                        "description": summary,
                        "content": {"application/json": {"schema": schema}},
                    }
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Crier status API (Statuspage API v2 compatible)",
            "version": "2.0.0",
        },
        "servers": [{"url": f"{base_url}/api/v2"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
