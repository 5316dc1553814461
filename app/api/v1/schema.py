"""The OpenAPI 3.1 document of the management API (/api/v1/openapi.json): Statuspage's v1
paths and objects as Crier serves them, Crier's extras marked as such."""

import functools

from app.api.v1.schema_bodies import (
    ALERT,
    COMPONENT_STATUS,
    INCIDENT_STATUS,
    SEVERITY,
    request_bodies,
)
from app.api.v1.schema_paths import paths
from app.api.v1.shapes import BLANK_PAGE_TEXTS

TIMESTAMP = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
    "description": "ISO 8601 in UTC with milliseconds",
}
WHEN = {"anyOf": [TIMESTAMP, {"type": "null"}]}
TEXT, MAYBE = {"type": "string"}, {"type": ["string", "null"]}
BOOL, INT = {"type": "boolean"}, {"type": "integer"}
NULL = {"type": "null"}
IDS = {"type": "array", "items": TEXT}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(props, extras=None):
    """Every Statuspage field required; Crier's extras listed (described), not required."""
    return {
        "type": "object",
        "properties": props | (extras or {}),
        "required": list(props),
    }


def _extra(schema, text):
    return schema | {"description": f"Crier's extra: {text}"}


_PAGE_TEXTS = [
    *BLANK_PAGE_TEXTS,
    "domain",
    "url",
    "support_url",
    "notifications_from_email",
    "css_link_color",
]
PAGE = _object(
    {"id": TEXT, "created_at": WHEN, "updated_at": WHEN, "name": TEXT, "time_zone": TEXT}
    | dict.fromkeys(_PAGE_TEXTS, MAYBE)
    | {"activity_score": {"type": "number"}}
    | dict.fromkeys(
        [
            "hidden_from_search",
            "allow_page_subscribers",
            "allow_incident_subscribers",
            "allow_email_subscribers",
            "allow_sms_subscribers",
            "allow_rss_atom_feeds",
            "allow_webhook_subscribers",
            "viewers_must_be_team_members",
        ],
        BOOL,
    )
)
COMPONENT = _object(
    {
        "id": TEXT,
        "page_id": TEXT,
        "group_id": MAYBE,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "group": BOOL,
        "name": TEXT,
        "description": MAYBE,
        "position": INT,
        "status": {"enum": COMPONENT_STATUS},
        "showcase": BOOL,
        "only_show_if_degraded": BOOL,
        "automation_email": MAYBE,
        "start_date": {"type": ["string", "null"], "format": "date"},
    }
)
GROUP = _object(
    {
        "id": TEXT,
        "page_id": TEXT,
        "name": TEXT,
        "description": MAYBE,
        "components": IDS,
        "position": INT,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    }
)
AFFECTED = _object({"code": TEXT, "name": TEXT, "new_status": {"enum": COMPONENT_STATUS}})
UPDATE = _object(
    {
        "id": TEXT,
        "incident_id": TEXT,
        "affected_components": {"type": "array", "items": AFFECTED},
        "body": TEXT,
        "created_at": TIMESTAMP,
        "custom_tweet": NULL,
        "deliver_notifications": BOOL,
        "display_at": TIMESTAMP,
        "status": {"enum": INCIDENT_STATUS},
        "tweet_id": NULL,
        "twitter_updated_at": NULL,
        "updated_at": TIMESTAMP,
        "wants_twitter_update": BOOL,
    },
    {
        "internal_body": _extra(TEXT, "the text stakeholders got"),
        "next_update_by": _extra(WHEN, "when the next update was promised"),
        "posted_by": _extra(MAYBE, "who posted it (a person, or an API key by name)"),
    },
)
INCIDENT = _object(
    {
        "id": TEXT,
        "components": {"type": "array", "items": _ref("Component")},
        "created_at": TIMESTAMP,
        "impact": {"enum": ["none", "minor", "major", "critical", "maintenance"]},
        "impact_override": NULL,
        "incident_updates": {"type": "array", "items": _ref("IncidentUpdate")},
        "metadata": {"type": "object"},
        "monitoring_at": WHEN,
        "name": TEXT,
        "page_id": TEXT,
        "postmortem_body": MAYBE,
        "postmortem_body_last_updated_at": WHEN,
        "postmortem_ignored": BOOL,
        "postmortem_notified_subscribers": BOOL,
        "postmortem_notified_twitter": BOOL,
        "postmortem_published_at": NULL,
        "resolved_at": WHEN,
        "scheduled_auto_completed": BOOL,
        "scheduled_auto_in_progress": BOOL,
        "scheduled_for": WHEN,
        "auto_transition_deliver_notifications_at_end": BOOL,
        "auto_transition_deliver_notifications_at_start": BOOL,
        "auto_transition_to_maintenance_state": BOOL,
        "auto_transition_to_operational_state": BOOL,
        "scheduled_remind_prior": BOOL,
        "scheduled_reminded_at": WHEN,
        "scheduled_until": WHEN,
        "shortlink": TEXT,
        "status": {"enum": INCIDENT_STATUS},
        "updated_at": TIMESTAMP,
    },
    {
        "kind": _extra({"enum": ["incident", "maintenance"]}, "incident or maintenance"),
        "severity": _extra({"enum": SEVERITY}, "internal"),
        "is_public": _extra(BOOL, "false: never on the page nor sent to subscribers"),
        "lead_email": _extra(MAYBE, "the Comms Lead"),
        "commander_email": _extra(MAYBE, "the Incident Commander"),
        "next_update_by": _extra(WHEN, "when the next update is due"),
        "impact_started_at": _extra(WHEN, "when the impact started (null for maintenance)"),
        "detected_at": _extra(WHEN, "when the incident was detected"),
        "engaged_at": _extra(WHEN, "when its lead or commander first acted on it"),
        "mitigated_at": _extra(WHEN, "when it was mitigated (first monitoring, or resolved)"),
    },
)
SUBSCRIBER = _object(
    {
        "id": TEXT,
        "skip_confirmation_notification": BOOL,
        "mode": {"enum": ["email"]},
        "email": TEXT,
        "endpoint": NULL,
        "phone_number": NULL,
        "phone_country": NULL,
        "display_phone_number": NULL,
        "obfuscated_channel_name": NULL,
        "workspace_name": NULL,
        "quarantined_at": WHEN,
        "purge_at": NULL,
        "components": IDS,
        "page_access_user_id": NULL,
        "created_at": TIMESTAMP,
    },
    {
        "state": _extra({"enum": ["pending", "active", "unsubscribed", "quarantined"]}, "state"),
        "confirmed_at": _extra(WHEN, "when the address confirmed"),
        "unsubscribed_at": _extra(WHEN, "when it left"),
    },
)
PAGE_ACCESS_GROUP = _object(
    {
        "id": TEXT,
        "page_id": TEXT,
        "name": TEXT,
        "page_access_user_ids": IDS,
        "external_identifier": MAYBE,
        "metric_ids": IDS,
        "component_ids": IDS,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    },
    {
        "kind": _extra({"enum": ["customer", "internal"]}, "internal also reads internal text"),
        "component_group_ids": _extra(IDS, "the component groups it sees whole"),
    },
)
PAGE_ACCESS_USER = _object(
    {
        "id": TEXT,
        "page_id": TEXT,
        "email": TEXT,
        "external_login": NULL,
        "page_access_group_id": MAYBE,
        "page_access_group_ids": IDS,
        "created_at": WHEN,
        "updated_at": WHEN,
    }
)
ERROR = _object({"error": TEXT})

SCHEMAS = {
    "Page": PAGE,
    "Component": COMPONENT,
    "ComponentGroup": GROUP,
    "Incident": INCIDENT,
    "IncidentUpdate": UPDATE,
    "Subscriber": SUBSCRIBER,
    "PageAccessGroup": PAGE_ACCESS_GROUP,
    "PageAccessUser": PAGE_ACCESS_USER,
    "Error": ERROR,
    "Alert": ALERT,
}
ERRORS = {
    "400": "The body does not match this document's request body (the error names the "
    "field), is not JSON, or the query is malformed.",
    "401": "No live API key: send Authorization: OAuth <key>.",
    "403": "The key's scope does not allow this.",
    "404": "No such page or object.",
    "409": "Not possible in the object's state.",
    "413": "The body is too large.",
    "422": "The values are not acceptable; the message says why.",
    "429": "Too many requests with this key; slow down.",
}


@functools.cache
def openapi_document() -> dict:
    """The whole document (built once; never change what it returns)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Crier management API (Statuspage v1 compatible)",
            "version": "1",
            "description": "Statuspage's management API paths and objects, served by Crier. "
            "Authenticate with `Authorization: OAuth <key>` (or `Bearer <key>`); create keys "
            "under Settings → API keys or with `flask api-key create`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"OAuth": []}],
        "paths": paths(errors=ERRORS),
        "components": {
            "schemas": SCHEMAS,
            "requestBodies": request_bodies(),
            "securitySchemes": {
                "OAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "The value is `OAuth <key>`.",
                },
            },
        },
    }
