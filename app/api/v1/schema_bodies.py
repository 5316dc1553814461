"""The request bodies of the management API: published in /api/v1/openapi.json (as
``components.requestBodies``) and, the same objects, what every write is checked against
(app.api.v1.validation). Each is Statuspage's wrapped object, ``{"incident": {...}}``, but
Alertmanager's own webhook body.

The bounds are Crier's: text lengths, ids, times between 1970 and 2999. Statuspage's fields
Crier has no use for are listed, typed and described as ignored, so its clients may send them;
other unknown fields are ignored too.
"""

from app.api.v1.params import PUBLIC_ID

MIN_YEAR, MAX_YEAR = 1970, 2999
MAX_TEXT = 20_000  # an update's text (the console's limit)
COMPONENT_STATUS = [
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
]
INCIDENT_STATUS = [
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
    "scheduled",
    "in_progress",
    "verifying",
    "completed",
]
SEVERITY = ["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]

BOOL = {"type": "boolean"}
ID = {
    "type": "string",
    "pattern": f"^{PUBLIC_ID}$",
    "description": "a Crier id (1 to 40 lower-case letters and digits)",
}
IDS = {"type": "array", "items": ID, "maxItems": 1000}
WHEN = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^(19[7-9]\d|2\d{3})-",
    "maxLength": 64,
    "description": f"a time with its offset (RFC 3339) between {MIN_YEAR} and {MAX_YEAR}, "
    "like 2026-11-30T10:00:00Z",
}
EMAIL = {"type": "string", "maxLength": 254}


def text(max_length: int = MAX_TEXT) -> dict:
    return {"type": "string", "maxLength": max_length}


def _extra(schema: dict, what: str) -> dict:
    return schema | {"description": f"Crier's extra: {what}"}


def _ignored(names, schema) -> dict:
    """Statuspage's fields Crier accepts and ignores."""
    return dict.fromkeys(names, schema | {"description": "Accepted and ignored (Statuspage's)"})


ACCEPT_WARNINGS = _extra(
    {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{16}$"}, "maxItems": 100},
    "the keys of text warnings to post anyway (a 422's findings give them; audited)",
)

INCIDENT = {
    "type": "object",
    "properties": {
        "name": text(1000),
        "status": {"enum": INCIDENT_STATUS},
        "body": text(),
        "impact_override": {"enum": ["none", "minor", "major", "critical"]},
        "components": {
            "type": "object",
            "propertyNames": ID,
            "additionalProperties": {"enum": COMPONENT_STATUS},
            "maxProperties": 1000,
            "description": "component id → its new status",
        },
        "component_ids": IDS | {"description": "components affected, status unchanged"},
        "deliver_notifications": BOOL,
        "scheduled_for": WHEN,
        "scheduled_until": WHEN,
        "auto_transition_deliver_notifications_at_start": BOOL,
        "auto_transition_deliver_notifications_at_end": BOOL,
        "scheduled_remind_prior": BOOL,
        "scheduled_remind_times": _extra(
            {"type": "string", "maxLength": 40},
            'one or two reminder times before the start, e.g. "24h, 1h"; default: the '
            "page's MAINTENANCE_REMINDERS",
        ),
        "internal_body": _extra(text(), "the text for stakeholders"),
        "severity": _extra({"enum": SEVERITY}, "internal; default SEV3"),
        "lead_email": _extra(
            EMAIL, "an active lead or admin; default: the key's owner, else the on-duty lead"
        ),
        "commander_email": _extra(EMAIL, "an active lead or admin"),
        "next_update_by": _extra(WHEN, "the promised time, within a week"),
        "is_public": _extra(BOOL, "false keeps it off the page and away from subscribers"),
        "accept_warnings": ACCEPT_WARNINGS,
    }
    | _ignored(
        [
            "auto_transition_to_maintenance_state",
            "auto_transition_to_operational_state",
            "scheduled_auto_in_progress",
            "scheduled_auto_completed",
            "scheduled_auto_transition",
            "auto_tweet_at_beginning",
            "auto_tweet_on_completion",
            "auto_tweet_on_creation",
            "auto_tweet_one_hour_before",
            "backfilled",
        ],
        BOOL,
    )
    | _ignored(["metadata"], {"type": "object"})
    | _ignored(["backfill_date"], {"type": "string"}),
}
COMPONENT = {
    "type": "object",
    "properties": {
        "name": text(500),
        "description": text(),
        "status": {"enum": COMPONENT_STATUS},
        "group_id": {
            "type": ["string", "null"],
            "pattern": f"^({PUBLIC_ID})?$",
            "description": "a group's id; null or empty: no group",
        },
        "showcase": BOOL,
    }
    | _ignored(["only_show_if_degraded"], BOOL)
    | _ignored(["start_date"], {"type": "string", "format": "date"}),
}
GROUP = {
    "type": "object",
    "properties": {"name": text(500), "components": IDS},
}
INCIDENT_UPDATE = {
    "type": "object",
    "properties": {"body": text(), "accept_warnings": ACCEPT_WARNINGS}
    | _ignored(["wants_twitter_update", "deliver_notifications"], BOOL)
    | _ignored(["display_at"], WHEN),
    "required": ["body"],
}
SUBSCRIBER = {
    "type": "object",
    "properties": {
        "email": EMAIL | {"minLength": 1},
        "component_ids": IDS,
        "skip_confirmation_notification": BOOL,
    }
    | _ignored(
        ["endpoint", "phone_country", "phone_number", "page_access_user"], {"type": "string"}
    ),
    "required": ["email"],
}
SUBSCRIBER_IDS = {
    "anyOf": [
        {"type": "array", "items": text(40), "minItems": 1, "maxItems": 1000},
        {"type": "string", "pattern": r"[^,\s]", "maxLength": 41_000},
    ],
    "description": "subscriber ids, as a list or comma-separated",
}
STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
ALERT = {
    "type": "object",
    "properties": {
        "status": {"enum": ["firing", "resolved"]},
        "labels": STRINGS,
        "annotations": STRINGS,
        "startsAt": {"type": "string", "format": "date-time"},
        "endsAt": {"type": "string", "format": "date-time"},
        "generatorURL": {"type": "string"},
        "fingerprint": {"type": "string", "minLength": 1, "maxLength": 64},
    },
    "required": ["status", "labels", "startsAt", "fingerprint"],
}
NOTIFICATION = {
    "type": "object",
    "properties": {
        "version": {"const": "4"},
        "groupKey": {"type": "string", "minLength": 1, "maxLength": 500},
        "truncatedAlerts": {"type": "integer", "minimum": 0},
        "status": {"enum": ["firing", "resolved"]},
        "receiver": {"type": "string"},
        "groupLabels": STRINGS,
        "commonLabels": STRINGS,
        "commonAnnotations": STRINGS,
        "externalURL": {"type": "string"},
        "alerts": {
            "type": "array",
            "items": {
                "anyOf": [{"$ref": "#/components/schemas/Alert"}, {}],
                "description": "An alert; one that is not (or is malformed) is left out and "
                "reported in the answer's errors by its index, and the others still count",
            },
            "maxItems": 1000,
        },
    },
    "required": ["version", "groupKey", "alerts"],
}
PAGE_ACCESS_IDS = {"type": "array", "items": ID, "maxItems": 500}
PAGE_ACCESS_GROUP = {
    "type": "object",
    "properties": {
        "name": text(120),
        "external_identifier": {
            "type": ["string", "null"],
            "maxLength": 255,
            "description": "the OpenID Connect claim value that admits to the group",
        },
        "component_ids": PAGE_ACCESS_IDS,
        "page_access_user_ids": PAGE_ACCESS_IDS,
        "kind": _extra({"enum": ["customer", "internal"]}, "internal also reads internal text"),
        **_ignored(["metric_ids"], {"type": "array", "items": text(40), "maxItems": 100}),
    },
}
PAGE_ACCESS_USER = {
    "type": "object",
    "properties": {
        "email": EMAIL,
        "page_access_group_ids": PAGE_ACCESS_IDS,
        "page_access_group_id": ID,
        **_ignored(["external_login"], text(255)),
        **_ignored(["subscribe_to_components"], BOOL),
    },
}
EXAMPLES = {
    "incident": {
        "name": "Elevated API errors",
        "status": "investigating",
        "body": "We are investigating elevated error rates on the API.",
    },
    "component": {"name": "Search", "description": "Finding things", "status": "operational"},
    "component_group": {"name": "Core platform", "components": []},
    "incident_update": {"body": "We are investigating elevated error rates on the API."},
    "subscriber": {"email": "customer@example.org"},
    "subscribers": ["0123456789abcdef"],
    "page_access_group": {"name": "Enterprise EU", "external_identifier": "enterprise-eu"},
    "page_access_user": {"email": "ops@customer.example", "page_access_group_ids": []},
    "component_ids": [],
    "alertmanager": {
        "version": "4",
        "groupKey": '{}:{alertname="HighErrorRate"}',
        "status": "firing",
        "receiver": "crier",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "HighErrorRate", "component": "api"},
                "annotations": {"summary": "Elevated error rates on the API"},
                "startsAt": "2026-11-30T10:00:00Z",
                "fingerprint": "c0ffee",
            }
        ],
    },
}
# {name: (what it carries, its schema, wrapped)}: a wrapped body is {name: <schema>}.
BODIES = {
    "incident": ("An incident or maintenance window", INCIDENT, True),
    "component": ("A component", COMPONENT, True),
    "component_group": ("A component group", GROUP, True),
    "incident_update": ("The corrected text of an update", INCIDENT_UPDATE, True),
    "subscriber": ("An email subscriber", SUBSCRIBER, True),
    "subscribers": ("Subscribers to unsubscribe", SUBSCRIBER_IDS, True),
    "page_access_group": ("A page access group (an audience)", PAGE_ACCESS_GROUP, True),
    "page_access_user": (
        "A page access user (an address audiences admit)",
        PAGE_ACCESS_USER,
        True,
    ),
    "component_ids": ("Components to add, set or remove", PAGE_ACCESS_IDS, True),
    "alertmanager": ("Alertmanager's webhook body (version 4)", NOTIFICATION, False),
}


def _wrapped(name: str, schema: dict) -> dict:
    return {"type": "object", "properties": {name: schema}, "required": [name]}


def request_bodies() -> dict:
    """``components.requestBodies`` of the document, by name."""
    return {
        name: {
            "description": what,
            "required": True,
            "content": {
                "application/json": {
                    "schema": _wrapped(name, schema) if wrapped else schema,
                    "example": {name: EXAMPLES[name]} if wrapped else EXAMPLES[name],
                }
            },
        }
        for name, (what, schema, wrapped) in BODIES.items()
    }
