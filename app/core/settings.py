"""The page's settings row: reading it, and changing it (cadence policy included)."""

import re
from urllib.parse import urlsplit

from flask import current_app, g

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
) -> Setting:
    """Change the page's settings; one commit."""

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
    if slack_webhook_url is not None:
        hook = slack_webhook_url.strip()
        if hook and not hook.startswith("https://"):
            raise ServiceError("The webhook must be an https:// URL.", field="slack_webhook_url")
        fields["slack_webhook_url"] = hook or None
    setting = db.session.scalar(db.select(Setting).order_by(Setting.id))
    if setting is None:
        setting = Setting()
        db.session.add(setting)
    changed = {k: v for k, v in fields.items() if getattr(setting, k, None) != v}
    for key, value in fields.items():
        setattr(setting, key, value)
    record("settings.update", actor=actor, obj=setting, detail={"changed": sorted(changed)})
    db.session.commit()
    g.pop("crier_settings", None)
    public_changed.send(current_app._get_current_object())
    return setting
