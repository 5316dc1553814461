"""What Crier's emails say: subjects, text and HTML parts from templates/email/."""

import logging
import secrets
from datetime import UTC
from urllib.parse import urlsplit

from flask import current_app, render_template
from markupsafe import escape

from app.core.settings import page_settings
from app.core.text import clean_line
from app.markdown import markdown_to_text, render_markdown
from app.messages.prefill import prefill
from app.models import Audience, Subscriber, Update
from app.timefmt import format_local, with_utc, zone

log = logging.getLogger(__name__)

# Placeholders filled per recipient (by SendGrid, or by Batch.render for other backends).
MANAGE_URL = "%%manage_url%%"
UNSUBSCRIBE_URL = "%%unsubscribe_url%%"
REASON = "%%reason%%"
REASON_HTML = "%%reason_html%%"
PLACEHOLDERS = (MANAGE_URL, UNSUBSCRIBE_URL, REASON, REASON_HTML)


def base_url() -> str:
    """The public URL links in emails start with."""
    return current_app.config["PUBLIC_BASE_URL"]


def list_id() -> str:
    """A stable List-Id (RFC 2919) naming the page, e.g. "Status <updates.status.example.com>"."""
    host = urlsplit(base_url()).hostname or "localhost"
    name = page_settings().page_name.replace('"', "")
    return f'"{name}" <updates.{host}>'


def state_label(state) -> str:
    """ "In progress" for in_progress."""
    return str(state).replace("_", " ").capitalize()


MAX_SUBJECT_CHARS = 200  # mail clients show far less; a template cannot make a huge header


def subject_line(subject: str, *, state, title: str) -> str:
    """An update email's subject: "[<page name>] " and the rendered template ``subject``, or
    "<State>: <incident title>" where the template has none; one line, bounded. The console's
    preview and the sent email both come from here, so they never differ."""
    title = clean_line(title)
    subject = clean_line(subject) or (f"{state_label(state)}: {title}" if state else title)
    return f"[{clean_line(page_settings().page_name)}] {subject}"[:MAX_SUBJECT_CHARS]


def update_subject(update: Update, audience: Audience) -> str:
    """The subject of ``update``'s email to ``audience``: its state's template subject for the
    audience, rendered from the incident's facts as the console's preview renders it."""
    incident = update.incident
    try:
        texts = prefill(incident, state=update.state, next_update_at=update.next_update_by)
        subject = texts[str(Audience(audience).value)][0]
    except Exception:  # a template that fails to render must not stop the dispatch
        log.exception("update %s: the %s subject template did not render", update.id, audience)
        subject = ""
    return subject_line(subject, state=update.state, title=incident.title)


def _posted_at(when, tz: str) -> str:
    """ "2026-11-23 15:05 CET (Europe/Berlin; 14:05 UTC)": the zone named, UTC beside it."""
    utc = "" if zone(tz).key in ("UTC", "Etc/UTC") else f"; {when.astimezone(UTC):%H:%M} UTC"
    return f"{format_local(when, tz)} ({tz}{utc})"


def update_message(update: Update, audience: Audience) -> tuple[str, str, str]:
    """(subject, text, html) of an update for one audience, with per-recipient placeholders."""
    settings = page_settings()
    incident = update.incident
    internal = Audience(audience) == Audience.internal
    body = update.internal_body if internal else update.external_body
    body = with_utc(body, settings.timezone)  # a reader anywhere gets UTC beside the page's zone
    components = [
        ic.component.name for ic in incident.components if internal or ic.component.is_public
    ]
    context = {
        "page": settings,
        "incident": incident,
        "update": update,
        "internal": internal,
        "state": state_label(update.state),
        "body_text": markdown_to_text(body),
        "body_html": render_markdown(body),
        "components": components,
        "posted_at": _posted_at(update.posted_at, settings.timezone),
        "incident_url": f"{base_url()}/incidents/{incident.public_id}",
        "admin_url": f"{base_url()}/admin/",
        "manage_url": MANAGE_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "reason": REASON,
        "reason_html": REASON_HTML,
    }
    text = render_template("email/update.txt", **context)
    subject = update_subject(update, audience)
    return subject, text, _html_with_placeholders("email/update.html", context)


def _html_with_placeholders(template: str, context: dict) -> str:
    """The HTML part, where only our own placeholders can be substituted.

    Substitution (SendGrid's, or Batch.render's) runs after the HTML was escaped, so a
    ``%%reason%%`` typed into a title or body would be replaced with the raw value. The
    template is rendered with one-off markers in place of the placeholders; every other "%%"
    (all of it from authors) becomes "%&#37;", which reads the same; then the markers become
    the placeholders.
    """
    nonce = secrets.token_hex(8)
    markers = {key: f"crier-{nonce}-{n}" for n, key in enumerate(PLACEHOLDERS)}
    names = {"manage_url", "unsubscribe_url", "reason", "reason_html"}
    marked = {k: markers[v] for k, v in context.items() if k in names}
    html = render_template(template, **(context | marked)).replace("%%", "%&#37;")
    for key, marker in markers.items():
        html = html.replace(marker, key)
    return html


def html_value(text: str) -> str:
    """A substitution value for the HTML part: escaped, and no "%%" to be substituted again."""
    return str(escape(text)).replace("%", "&#37;")


def subscriber_reason(subscriber: Subscriber) -> str:
    """Why they get it: "you subscribed to API and Dashboard". Public components only: one
    they chose may have been made private since (an audience's), and its name is not theirs
    to read."""
    names = sorted(c.name for c in subscriber.components if c.is_public)
    if not subscriber.components:
        return f"you subscribed to all updates from {page_settings().page_name}"
    if not names:
        return f"you subscribed to updates from {page_settings().page_name}"
    if len(names) == 1:
        return f"you subscribed to {names[0]}"
    return f"you subscribed to {', '.join(names[:-1])} and {names[-1]}"


def subscriber_substitutions(subscriber: Subscriber, token: str) -> dict[str, str]:
    """One subscriber's placeholder values: their links and why they get the email."""
    reason = subscriber_reason(subscriber)
    return {
        MANAGE_URL: manage_url(token),
        UNSUBSCRIBE_URL: unsubscribe_url(token),
        REASON: reason,
        REASON_HTML: html_value(reason),
    }


def unsubscribe_headers(token: str) -> dict[str, str]:
    """RFC 8058 one-click headers for one subscriber."""
    targets = [f"<{unsubscribe_url(token)}>"]
    mailto = current_app.config.get("LIST_UNSUBSCRIBE_MAILTO")
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def manage_url(token: str) -> str:
    """The subscriber's manage page."""
    return f"{base_url()}/manage/{token}"


def unsubscribe_url(token: str) -> str:
    """The subscriber's unsubscribe (and RFC 8058 one-click) URL."""
    return f"{base_url()}/u/{token}"


def confirmation_message(token: str) -> tuple[str, str, str]:
    """(subject, text, html) of the double opt-in email."""
    context = {
        "page": page_settings(),
        "confirm_url": f"{base_url()}/confirm/{token}",
        "valid_days": 7,
    }
    subject = f"[{page_settings().page_name}] Confirm your subscription"
    text = render_template("email/confirm.txt", **context)
    return subject, text, render_template("email/confirm.html", **context)


def manage_link_message(token: str) -> tuple[str, str, str]:
    """(subject, text, html) sent when a subscribed address subscribes again."""
    context = {"page": page_settings(), "manage_url": manage_url(token)}
    subject = f"[{page_settings().page_name}] You are already subscribed"
    text = render_template("email/manage_link.txt", **context)
    return subject, text, render_template("email/manage_link.html", **context)
