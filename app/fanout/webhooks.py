"""What a webhook or Slack delivery carries: Statuspage's webhook payloads (signed: an
incident's, or a component's status change) and the Block Kit message of an update."""

import hashlib
import hmac
import json
import time

from flask import current_app

from app.core.settings import page_settings
from app.extensions import db
from app.models import Audience, Component, ComponentChange, ComponentStatus, Incident, Update
from app.slack import message

SIGNATURE_HEADER = "X-Crier-Signature"
_INDICATOR = {
    ComponentStatus.operational: ("none", "All Systems Operational"),
    ComponentStatus.degraded_performance: ("minor", "Minor Service Outage"),
    ComponentStatus.partial_outage: ("minor", "Partial System Outage"),
    ComponentStatus.major_outage: ("major", "Major Service Outage"),
    ComponentStatus.under_maintenance: ("maintenance", "Service Under Maintenance"),
}
_RANK = list(_INDICATOR)


def _iso(value) -> str | None:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


def page_status() -> dict:
    """Statuspage's ``page`` object: the worst public component status decides."""
    statuses = db.session.scalars(db.select(Component.status).where(Component.is_public))
    worst = max(statuses, key=lambda s: _RANK.index(s), default=ComponentStatus.operational)
    indicator, description = _INDICATOR[ComponentStatus(worst)]
    return {"id": "crier", "status_indicator": indicator, "status_description": description}


def incident_doc(incident: Incident) -> dict:
    """The incident as Statuspage's webhook sends it, with its public updates newest first."""
    base = current_app.config["PUBLIC_BASE_URL"]
    updates = [u for u in reversed(incident.updates) if (u.external_body or "").strip()]
    return {
        "id": incident.public_id,
        "name": incident.title,
        "status": incident.state.value,
        "impact": incident.impact.value,
        "created_at": _iso(incident.created_at),
        "updated_at": _iso(incident.updated_at),
        "monitoring_at": _iso(incident.monitoring_at),
        "resolved_at": _iso(incident.resolved_at),
        "shortlink": f"{base}/incidents/{incident.public_id}",
        "page_id": "crier",
        "incident_updates": [
            {
                "id": u.public_id,
                "incident_id": incident.public_id,
                "status": u.state.value,
                "body": u.external_body,
                "created_at": _iso(u.posted_at),
                "updated_at": _iso(u.posted_at),
                "display_at": _iso(u.posted_at),
            }
            for u in updates
        ],
        "components": [
            {"id": ic.component.public_id, "name": ic.component.name, "status": ic.status.value}
            for ic in incident.components
            if ic.component.is_public
        ],
    }


def docs_url() -> str:
    """``meta.documentation``: where a subscriber reads how deliveries look and are signed —
    ``WEBHOOK_DOCS_URL`` (e.g. the operator's copy of docs/integrations.md), else the page
    where webhooks are subscribed, which Crier itself serves."""
    configured = current_app.config.get("WEBHOOK_DOCS_URL")
    return configured or f"{current_app.config['PUBLIC_BASE_URL']}/subscribe/webhook"


def webhook_payload(update: Update, unsubscribe: str) -> dict:
    """Statuspage's incident webhook: ``meta``, ``page`` and ``incident``."""
    docs = docs_url()
    return {
        "meta": {"unsubscribe": unsubscribe, "documentation": docs},
        "page": page_status(),
        "incident": incident_doc(update.incident),
    }


def component_doc(component: Component, status: ComponentStatus) -> dict:
    """The component as Statuspage sends it, with the status the change gave it."""
    return {
        "id": component.public_id,
        "page_id": "crier",
        "group_id": component.group.public_id if component.group else None,
        "name": component.name,
        "description": component.description,
        "position": component.position,
        "status": ComponentStatus(status).value,
        "showcase": component.is_public,
        "only_show_if_degraded": component.only_show_if_degraded,
        "start_date": component.start_date.isoformat() if component.start_date else None,
        "created_at": _iso(component.created_at),
        "updated_at": _iso(component.updated_at),
    }


def component_payload(change: ComponentChange, unsubscribe: str) -> dict:
    """Statuspage's component webhook: ``meta``, ``page``, ``component_update``, ``component``."""
    docs = docs_url()
    component = change.component
    return {
        "meta": {"unsubscribe": unsubscribe, "documentation": docs},
        "page": page_status(),
        "component_update": {
            "created_at": _iso(change.at),
            "new_status": ComponentStatus(change.new_status).value,
            "old_status": ComponentStatus(change.old_status).value,
            "id": change.public_id,
            "component_id": component.public_id,
        },
        "component": component_doc(component, change.new_status),
    }


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def slack_payload(update: Update, audience: Audience) -> dict:
    """The update as a Block Kit message: the external text, or the internal one."""
    incident = update.incident
    base = current_app.config["PUBLIC_BASE_URL"]
    internal = audience == Audience.internal
    text = update.internal_body if internal else update.external_body
    facts = [("State", incident.state.value)]
    if internal:
        facts.append(("Severity", incident.severity.value))
    else:
        facts.append(("Impact", incident.impact.value))
    if update.next_update_by:
        facts.append(("Next update by", update.next_update_by.strftime("%Y-%m-%d %H:%M UTC")))
    path = (
        f"/admin/incidents/{incident.public_id}" if internal else f"/incidents/{incident.public_id}"
    )
    title = f"{page_settings().page_name}: {incident.title}"
    return message(title=title, text=text or "", facts=facts, link=base + path)
