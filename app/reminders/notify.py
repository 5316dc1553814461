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
from app.slack import message as slack_message
from app.timefmt import format_duration, format_local, format_with_utc

log = logging.getLogger(__name__)


@dataclass
class ReminderMessage:
    subject: str
    body: str
    recipients: list[str]
    webhooks: list[str]
    slack: dict  # the Block Kit payload for the webhooks
    personal: dict[str, str]  # address -> the body written for that reader


def _addressed(incident: Incident, email: str, escalated: bool) -> str | None:
    """The first line for the reader at ``email``: who has not posted and who is told, in the
    words of the person reading it."""
    if not escalated:
        return None
    lead, commander = incident.lead, incident.commander
    is_lead = lead is not None and lead.email == email
    is_commander = commander is not None and commander.email == email
    if is_lead and is_commander:
        return (
            "You are the Comms Lead and the Incident Commander of this incident, "
            "and the promised update has not been posted."
        )
    if is_commander:
        name = lead.name if lead else "nobody"
        return f"The Comms Lead ({name}) has not posted; you are the Incident Commander."
    if is_lead and commander is not None:
        return f"You have not posted; {commander.name} (the Incident Commander) has been told."
    return None


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
    page_name = (settings.page_name if settings else "") or "Crier"
    subject = (
        f"[{page_name}] {'ESCALATION: ' if escalated else ''}Update due on {incident.severity} "
        f"'{incident.title}' — {_lateness(reminder.due_at, now)}"
    )
    lines = [
        f"{incident.severity} {incident.title} ({incident.state})",
        f"Next update was promised for {format_with_utc(reminder.due_at, tz)}; "
        f"it is {_lateness(reminder.due_at, now)}.",
        f"Last update: {format_with_utc(last.posted_at, tz) if last else 'none yet'}.",
        f"Cadence for this severity and state: every {cadence_minutes(incident, settings)} min.",
        "",
        f"Post the update: {base}/admin/incidents/{incident.public_id}/updates/new",
    ]
    people = [incident.lead] + ([incident.commander] if escalated else [])
    recipients = sorted({p.email for p in people if p is not None})
    personal = {}
    for email in recipients:
        first = _addressed(incident, email, escalated)
        personal[email] = "\n".join([first, *lines] if first else lines)
    if escalated:  # the webhooks' words are read by anyone in the channel
        lead = incident.lead.name if incident.lead else "nobody"
        lines.insert(0, f"The Comms Lead ({lead}) has not posted; the Incident Commander is told.")
    hooks = {p.slack_webhook_url for p in people if p is not None and p.slack_webhook_url}
    if not hooks and settings and settings.slack_webhook_url:
        hooks = {settings.slack_webhook_url}
    body = "\n".join(lines)
    facts = [("State", incident.state.value), ("Severity", incident.severity.value),
             ("Next update due", format_local(reminder.due_at, tz))]  # fmt: skip
    slack = slack_message(
        title=subject,
        text="\n".join(lines[:-2]),
        facts=facts,
        link=f"{base}/admin/incidents/{incident.public_id}/updates/new",
        link_label="Post the update",
        fallback=f"{subject}\n{body}",
    )
    return ReminderMessage(subject, body, recipients, sorted(hooks), slack, personal)


def post_webhook(url: str, payload: dict, *, allow_private: bool = False) -> bool:
    """POST a Slack message (Block Kit, with its plain ``text``) to an incoming webhook through
    ``app.outbound`` (no redirects, no private addresses unless allowed); False (logged with
    why) on failure."""
    try:
        response = post_json(url, payload, allow_private=allow_private)
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
            text = message.personal.get(address, message.body)
            send_one(sender=mail_from(), to=address, subject=message.subject, text=text)
        except DeliveryError as exc:
            log.warning("reminder email for incident %s failed: %s", reminder.incident_id, exc)
    allow_private = bool(page_settings().allow_private_outbound)
    for url in message.webhooks:
        post_webhook(url, message.slack, allow_private=allow_private)
