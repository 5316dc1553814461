"""Emails to the Comms Lead about alerts: written in the request, sent by the queue after the
commit (``alert_notices_ready``), one task per recipient; a refusal is logged."""

import logging
from dataclasses import asdict, dataclass

from flask import current_app

from app.core.settings import mail_from, page_settings
from app.email import PermanentError, send_one
from app.models import AlertState, Component, User
from app.timefmt import format_with_utc

log = logging.getLogger(__name__)


@dataclass
class Notice:
    subject: str
    body: str
    recipients: list[str]


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def _page() -> str:
    """The page's name, which starts every subject (as it starts an update's)."""
    settings = page_settings()
    return (settings.page_name if settings else "") or "Crier"


def _tz() -> str:
    settings = page_settings()
    return settings.timezone if settings else "UTC"


def suggest_notice(states: list[AlertState], people: list[User]) -> Notice:
    """An alert group is firing on suggest-mode components: declare?"""
    first = min(states, key=lambda s: s.starts_at)
    names = sorted({s.component.name for s in states})
    lines = [
        f"Alertmanager reports {len(states)} alert(s) firing on {', '.join(names)}.",
        *(
            f"- {s.summary} ({s.severity or 'no severity'}) on {s.component.name} since "
            f"{format_with_utc(s.starts_at, _tz())}"
            for s in states
        ),
        "",
        f"Declare an incident: {_base()}/admin/",
    ]
    subject = f"[{_page()}] Alert firing on {first.component.name}: {first.summary} — declare?"
    return Notice(subject, "\n".join(lines), sorted({p.email for p in people}))


def restored_notice(component: Component, state: AlertState, people: list[User]) -> Notice:
    """The alerts on an automatic component resolved: its status is back; post the resolution."""
    shown = component.status.replace("_", " ")
    if state.previous_status is not None and component.status != state.previous_status:
        # An open incident holds the component: the page keeps what the incident says.
        lines = [
            f"The alerts on {component.name} have resolved; it stays {shown} while the "
            "incident that holds it is open."
        ]
    else:
        lines = [f"The alerts on {component.name} have resolved; Crier set it back to {shown}."]
    if state.incident_public_id:
        lines.append(
            "The incident they opened is still open: post the resolution when you are sure: "
            f"{_base()}/admin/incidents/{state.incident_public_id}/resolve"
        )
    subject = f"[{_page()}] Alerts resolved on {component.name} — post the resolution"
    return Notice(subject, "\n".join(lines), sorted({p.email for p in people}))


def as_signal(notices: list[Notice]) -> list[dict]:
    """The notices as plain values, for the queue."""
    return [asdict(notice) for notice in notices]


def send_notice(*, subject: str, body: str, to: str) -> None:
    """Email one notice to one person now (a queued task). A refusal is logged; a provider's
    passing trouble (``RetryableError``) is raised, for the queue to try again."""
    try:
        send_one(sender=mail_from(), to=to, subject=subject, text=body)
    except PermanentError as exc:
        log.warning("alert notice to %s refused: %s", to, exc)
