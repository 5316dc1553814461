"""The page's settings row: reading it, and changing it (cadence policy included)."""

import re
from urllib.parse import urlsplit

from flask import current_app, g

from app.config import sender_problem
from app.core import ServiceError
from app.core.audit import record
from app.core.text import clean_line
from app.extensions import db
from app.ids import parse_int
from app.models import Setting, Severity, User, default_cadence_policy
from app.models.settings import DEFAULT_CADENCE
from app.signals import public_changed
from app.timefmt import is_valid_timezone

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
CADENCE_STATES = [state.value for state in DEFAULT_CADENCE]


def page_settings() -> Setting:
    """The settings row (cached per request); an unsaved default before the first seed."""
    if "crier_settings" not in g:
        g.crier_settings = db.session.scalar(db.select(Setting).order_by(Setting.id)) or Setting(
            page_name="Status",
            timezone="UTC",
            brand_color="#1f6feb",
            cadence_policy=default_cadence_policy(),
        )
    return g.crier_settings


def mail_from() -> str:
    """The From address of every email: the page's setting, else MAIL_FROM."""
    return page_settings().mail_from or current_app.config["MAIL_FROM"]


def _url(value, field) -> str | None:
    value = clean_line(value)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServiceError("Give a full http:// or https:// address.", field=field)
    return value


def clean_webhook_url(
    value: str | None, *, field: str, allow_http: bool | None = None
) -> str | None:
    """A webhook URL fit to store, None for blank: https:// (http:// too once an admin allows
    private networks), a host, no credentials. Where it may connect is checked at send time."""
    value = (value or "").strip()
    if not value:
        return None
    if allow_http is None:
        allow_http = bool(page_settings().allow_private_outbound)
    parts = urlsplit(value)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        wanted = "an https:// or http://" if allow_http else "an https://"
        raise ServiceError(f"The webhook must be {wanted} URL.", field=field)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ServiceError(
            "Leave the user name and password out of the webhook URL (no user:pass@).",
            field=field,
        )
    if not parts.hostname or any(ord(c) < 33 for c in value):
        raise ServiceError("The webhook URL needs a host name and no spaces.", field=field)
    if len(value) > 500:
        raise ServiceError("The webhook URL is too long (500 characters at most).", field=field)
    return value


def secret_hint(value: str | None) -> str:
    """How a form shows a stored secret URL: never the URL, only its host and last 4."""
    if not value:
        return "not set"
    host = urlsplit(value).hostname or "?"
    return f"set ({host}, ending …{value[-4:]})"


def clean_mail_from(value: str | None) -> str | None:
    """A From address with a real domain, None for blank (then MAIL_FROM is used)."""
    value = (value or "").strip()
    if not value:
        return None
    problem = sender_problem(value)
    if problem:
        raise ServiceError(f"The From address {problem}.", field="mail_from")
    return value


def clean_cadence(policy: dict) -> dict[str, dict[str, int]]:
    """{severity: {state: minutes}} with whole minutes from 1 to 1440 in every cell."""
    clean = {}
    for severity in Severity:
        row = {}
        for state in CADENCE_STATES:
            raw = str((policy.get(severity.value) or {}).get(state, "")).strip()
            minutes = parse_int(raw, min=1, max=1440)
            if minutes is None:
                raise ServiceError(
                    f"{severity.value} {state}: give whole minutes from 1 to 1440.",
                    field="cadence",
                )
            row[state] = minutes
        clean[severity.value] = row
    return clean


MAX_BLOCKED_WORDS = 200


def clean_blocked_words(text: str) -> str:
    """The words public text must not say: one a line, blanks and repeats dropped."""
    words = list(dict.fromkeys(w for w in (clean_line(x) for x in str(text).splitlines()) if w))
    if len(words) > MAX_BLOCKED_WORDS or any(len(w) > 100 for w in words):
        raise ServiceError(
            f"Keep the list to {MAX_BLOCKED_WORDS} words or phrases of up to 100 characters.",
            field="blocked_words",
        )
    return "\n".join(words)


def clean_ticket_pattern(pattern: str) -> str:
    """A regular expression for ticket ids (blank: none), or a ServiceError saying why not."""
    pattern = clean_line(pattern)
    if len(pattern) > 200:
        raise ServiceError("Keep the ticket pattern under 200 characters.", field="ticket_pattern")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ServiceError(
            f"That is not a regular expression ({exc}); e.g. \\b[A-Z]+-\\d+\\b.",
            field="ticket_pattern",
        ) from None
    return pattern


def update_settings(
    *,
    actor: User,
    page_name: str,
    timezone: str = "UTC",
    public_url: str = "",
    support_url: str = "",
    brand_color: str = "#1f6feb",
    logo_url: str = "",
    cadence_policy: dict | None = None,
    warning_lead_minutes: int | None = None,
    slack_webhook_url: str | None = None,
    allow_private_outbound: bool | None = None,
    mail_from: str | None = None,
    blocked_words: str | None = None,
    ticket_pattern: str | None = None,
) -> Setting:
    """Change the page's settings (publishing re-renders everything). For the webhook and the
    From address None keeps the stored value and "" clears it (the form never shows a stored
    secret)."""

    page_name = " ".join(clean_line(page_name).split())
    if not page_name or len(page_name) > 120:
        raise ServiceError("Give the page a name (up to 120 characters).", field="page_name")
    if not is_valid_timezone(timezone or ""):
        raise ServiceError(f"Unknown timezone {timezone!r}; try Europe/Berlin.", field="timezone")
    if not _COLOUR.match(brand_color or ""):
        raise ServiceError("A colour is # and six hex digits, like #1f6feb.", field="brand_color")
    fields = {
        "page_name": page_name,
        "timezone": timezone,
        "public_url": _url(public_url, "public_url"),
        "support_url": _url(support_url, "support_url"),
        "brand_color": brand_color.lower(),
        "logo_url": _url(logo_url, "logo_url"),
    }
    if cadence_policy is not None:
        fields["cadence_policy"] = clean_cadence(cadence_policy)
    if warning_lead_minutes is not None:
        if not 0 <= warning_lead_minutes <= 120:
            raise ServiceError("Warn 0 to 120 minutes ahead.", field="warning_lead_minutes")
        fields["warning_lead_minutes"] = warning_lead_minutes
    if allow_private_outbound is not None:
        fields["allow_private_outbound"] = bool(allow_private_outbound)
    if slack_webhook_url is not None:
        # Checked under the rule being saved, not the stored one.
        fields["slack_webhook_url"] = clean_webhook_url(
            slack_webhook_url, field="slack_webhook_url", allow_http=allow_private_outbound
        )
    if mail_from is not None:
        fields["mail_from"] = clean_mail_from(mail_from)
    if blocked_words is not None:
        fields["blocked_words"] = clean_blocked_words(blocked_words)
    if ticket_pattern is not None:
        fields["ticket_pattern"] = clean_ticket_pattern(ticket_pattern)
    setting = db.session.scalar(db.select(Setting).order_by(Setting.id))
    if setting is None:
        setting = Setting()
        db.session.add(setting)
    changed = {k: v for k, v in fields.items() if getattr(setting, k, None) != v}
    for key, value in fields.items():
        setattr(setting, key, value)
    record("settings.update", actor=actor, obj=setting, detail={"changed": sorted(changed)})
    public_changed.send(None, everything=True)  # publishing's outbox row, in this transaction
    db.session.flush()
    g.pop("crier_settings", None)
    return setting
