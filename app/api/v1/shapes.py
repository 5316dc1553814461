"""The objects the management API returns, with every field of Statuspage's v1 objects
(``null`` where Crier has no such fact) and Crier's own extras beside them."""

from datetime import UTC, datetime

from flask import current_app

from app.core.settings import page_settings
from app.incidents.queries import status_changes
from app.models import IncidentKind, State

# Statuspage has no "cancelled": a cancelled maintenance reads as completed there.
_STATUS_ALIASES = {State.cancelled: "completed"}
PAGE_ID = "crier"


def iso(value: datetime | None) -> str | None:
    """UTC, milliseconds, ``Z``: 2026-11-30T10:42:00.000Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def base_url() -> str:
    settings = page_settings()
    return (settings.public_url or current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


# Page fields Crier has no setting for: null in answers (and MAYBE in the OpenAPI document).
BLANK_PAGE_TEXTS = [
    "page_description",
    "headline",
    "branding",
    "subdomain",
    "twitter_username",
    "ip_restrictions",
    "city",
    "state",
    "country",
    "notifications_email_footer",
    "css_body_background_color",
    "css_font_color",
    "css_light_font_color",
    "css_greens",
    "css_yellows",
    "css_oranges",
    "css_blues",
    "css_reds",
    "css_border_color",
    "css_graph_color",
    "css_no_data",
    "favicon_logo",
    "transactional_logo",
    "hero_cover",
    "email_logo",
    "twitter_logo",
]


def page_shape() -> dict:
    s = page_settings()
    url = base_url()
    host = url.split("://", 1)[-1].split("/", 1)[0]
    page = dict.fromkeys(BLANK_PAGE_TEXTS)
    page.update(
        id=PAGE_ID,
        created_at=iso(s.updated_at),
        updated_at=iso(s.updated_at),
        name=s.page_name,
        domain=host or None,
        url=url or None,
        support_url=s.support_url,
        hidden_from_search=False,
        allow_page_subscribers=True,
        allow_incident_subscribers=False,
        allow_email_subscribers=True,
        allow_sms_subscribers=False,
        allow_rss_atom_feeds=True,
        allow_webhook_subscribers=True,  # on the public page, confirmed by a challenge
        notifications_from_email=s.mail_from or current_app.config.get("MAIL_FROM"),
        activity_score=0.0,
        viewers_must_be_team_members=False,
        time_zone=s.timezone,
        css_link_color=s.brand_color,
    )
    return page


def component_shape(c) -> dict:
    return {
        "id": c.public_id,
        "page_id": PAGE_ID,
        "group_id": c.group.public_id if c.group else None,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "group": False,
        "name": c.name,
        "description": c.description,
        "position": c.position,
        "status": c.status.value,
        "showcase": c.is_public,
        "only_show_if_degraded": c.only_show_if_degraded,
        "automation_email": None,
        "start_date": c.start_date.isoformat() if c.start_date else None,
    }


def group_shape(g) -> dict:
    return {
        "id": g.public_id,
        "page_id": PAGE_ID,
        "name": g.name,
        "description": g.description,
        "components": [c.public_id for c in g.components],
        "position": g.position,
        "created_at": iso(g.created_at),
        "updated_at": iso(g.updated_at),
    }


def status_of(incident_or_update) -> str:
    state = State(incident_or_update.state)
    return _STATUS_ALIASES.get(state, state.value)


def update_shape(u, changes=None) -> dict:
    if changes is None:
        changes = _changes([u.id]).get(u.id, [])
    return {
        "id": u.public_id,
        "incident_id": u.incident.public_id,
        "affected_components": changes,
        "body": u.external_body,
        "created_at": iso(u.posted_at),
        "custom_tweet": None,
        "deliver_notifications": u.notify,
        "display_at": iso(u.posted_at),
        "status": status_of(u),
        "tweet_id": None,
        "twitter_updated_at": None,
        "updated_at": iso(u.posted_at),
        "wants_twitter_update": False,
        # Crier's extras
        "internal_body": u.internal_body,
        "next_update_by": iso(u.next_update_by),
        "posted_by": u.posted_by.name if u.posted_by else None,
    }


def _changes(update_ids) -> dict[int, list[dict]]:
    """{update id: [{code, name, new_status}]}: the component statuses each update set."""
    return {
        update_id: [_change(row) for row in rows]
        for update_id, rows in status_changes(update_ids).items()
    }


def _change(row) -> dict:
    return {
        "code": row.component.public_id,
        "name": row.component.name,
        "new_status": row.status.value,
    }


def incident_shape(i) -> dict:
    maintenance = i.kind == IncidentKind.maintenance
    updates = list(reversed(i.updates))  # newest first, as Statuspage lists them
    changes = _changes([u.id for u in updates])
    postmortem = next((u for u in updates if u.state == State.postmortem), None)
    return {
        "id": i.public_id,
        "components": [component_shape(link.component) for link in i.components],
        "created_at": iso(i.created_at),
        "impact": "maintenance" if maintenance else i.impact.value,
        "impact_override": None,
        "incident_updates": [update_shape(u, changes.get(u.id, [])) for u in updates],
        "metadata": {},
        "monitoring_at": iso(i.monitoring_at),
        "name": i.title,
        "page_id": PAGE_ID,
        "postmortem_body": postmortem.external_body if postmortem else None,
        "postmortem_body_last_updated_at": iso(postmortem.posted_at) if postmortem else None,
        "postmortem_ignored": False,
        "postmortem_notified_subscribers": bool(postmortem and postmortem.notify),
        "postmortem_notified_twitter": False,
        "postmortem_published_at": None,
        "resolved_at": iso(i.resolved_at),
        # Crier starts and completes every window on time by itself (the maintenance tick).
        "scheduled_auto_completed": maintenance,
        "scheduled_auto_in_progress": maintenance,
        "scheduled_for": iso(i.scheduled_for),
        "auto_transition_deliver_notifications_at_end": maintenance and i.auto_notify_end,
        "auto_transition_deliver_notifications_at_start": maintenance and i.auto_notify,
        "auto_transition_to_maintenance_state": maintenance,
        "auto_transition_to_operational_state": maintenance,
        "scheduled_remind_prior": maintenance and i.remind_prior,
        "scheduled_reminded_at": iso(i.reminded_at),
        "scheduled_until": iso(i.scheduled_until),
        "shortlink": f"{base_url()}/incidents/{i.public_id}",
        "status": status_of(i),
        "updated_at": iso(i.updated_at),
        # Crier's extras
        "kind": i.kind.value,
        "severity": i.severity.value,
        "is_public": i.is_public,
        "lead_email": i.lead.email if i.lead and i.lead.active else None,
        "commander_email": i.commander.email if i.commander else None,
        "next_update_by": iso(i.next_update_due_at),
        "impact_started_at": iso(i.impact_started_at),
        "detected_at": iso(i.detected_at),
        "engaged_at": iso(i.engaged_at),
        "mitigated_at": iso(i.mitigated_at),
    }


def subscriber_id(sub) -> str:
    """A subscriber's id in the API: the start of its random selector, never the row's key."""
    return sub.token_hash[:16]


def subscriber_shape(sub) -> dict:
    return {
        "id": subscriber_id(sub),
        "skip_confirmation_notification": False,
        "mode": "email",
        "email": sub.email,
        "endpoint": None,
        "phone_number": None,
        "phone_country": None,
        "display_phone_number": None,
        "obfuscated_channel_name": None,
        "workspace_name": None,
        "quarantined_at": iso(sub.suppressed_at),
        "purge_at": None,
        "components": [c.public_id for c in sub.components],
        "page_access_user_id": None,
        "created_at": iso(sub.created_at),
        # Crier's extras
        "state": _subscriber_state(sub),
        "confirmed_at": iso(sub.confirmed_at),
        "unsubscribed_at": iso(sub.unsubscribed_at),
    }


def _subscriber_state(sub) -> str:
    if sub.suppressed_at:
        return "quarantined"
    if sub.unsubscribed_at:
        return "unsubscribed"
    return "active" if sub.confirmed_at else "pending"
