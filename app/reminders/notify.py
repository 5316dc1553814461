"""What a reminder says, and to whom: email to the lead (and the commander on escalation),
plus an optional Slack-compatible webhook."""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app.core.settings import mail_from, page_settings
from app.email import DeliveryError, send_one
from app.incidents.cadence import cadence_minutes
from app.models import Incident, Reminder, ReminderLevel
from app.outbound import OutboundError, post_json
from app.timefmt import format_duration, format_local

log = logging.getLogger(__name__)


@dataclass
class ReminderMessage:
    subject: str
    body: str
    recipients: list[str]
    webhooks: list[str]


def _lateness(due_at: datetime, now: datetime) -> str:
    seconds = (now - due_at).total_seconds()
    if seconds < 0:
        return f"due in {format_duration(-seconds)}"
    if seconds < 60:
        return "due now"
    return f"{format_duration(seconds)} overdue"


def compose(reminder: Reminder, *, now: datetime) -> ReminderMessage:
    """The reminder's subject, text, addressees and webhooks."""
    incident: Incident = reminder.incident
    settings = page_settings()
    tz = settings.timezone if settings else "UTC"
    base = current_app.config["PUBLIC_BASE_URL"]
    last = incident.updates[-1] if incident.updates else None
    escalated = reminder.level is ReminderLevel.commander
    subject = (
        f"[Crier] {'ESCALATION: ' if escalated else ''}Update due on {incident.severity} "
        f"'{incident.title}' — {_lateness(reminder.due_at, now)}"
    )
    lines = [
        f"{incident.severity} {incident.title} ({incident.state})",
        f"Next update was promised for {format_local(reminder.due_at, tz)}; "
        f"it is {_lateness(reminder.due_at, now)}.",
        f"Last update: {format_local(last.posted_at, tz) if last else 'none yet'}.",
        f"Cadence for this severity and state: every {cadence_minutes(incident, settings)} min.",
        "",
        f"Post the update: {base}/admin/incidents/{incident.public_id}/updates/new",
    ]
    if escalated:
        lead = incident.lead.name if incident.lead else "nobody"
        lines.insert(0, f"The Comms Lead ({lead}) has not posted; you are the Incident Commander.")
    people = [incident.lead] + ([incident.commander] if escalated else [])
    recipients = sorted({p.email for p in people if p is not None})
    hooks = {p.slack_webhook_url for p in people if p is not None and p.slack_webhook_url}
    if not hooks and settings and settings.slack_webhook_url:
        hooks = {settings.slack_webhook_url}
    return ReminderMessage(subject, "\n".join(lines), recipients, sorted(hooks))


def post_webhook(url: str, text: str, *, allow_private: bool = False) -> bool:
    """POST {"text": …} to a Slack-compatible incoming webhook through ``app.outbound`` (no
    redirects, no private addresses unless allowed); False (logged with why) on failure."""
    try:
        response = post_json(url, {"text": text}, allow_private=allow_private)
    except OutboundError as exc:
        log.warning("reminder webhook refused or failed: %s", exc.message)
        return False
    if not response.ok:
        log.warning("reminder webhook answered %s", response.status)
    return response.ok


def deliver_reminder(reminder: Reminder, *, now: datetime) -> None:
    """Send the reminder by email and to any webhook; failures are logged, never raised."""
    message = compose(reminder, now=now)
    for address in message.recipients:
        try:
            send_one(sender=mail_from(), to=address, subject=message.subject, text=message.body)
        except DeliveryError as exc:
            log.warning("reminder email for incident %s failed: %s", reminder.incident_id, exc)
    allow_private = bool(page_settings().allow_private_outbound)
    for url in message.webhooks:
        post_webhook(url, f"{message.subject}\n{message.body}", allow_private=allow_private)
