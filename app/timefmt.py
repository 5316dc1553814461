"""Times for people: UTC in storage, the page's timezone (named) on the page."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape


def zone(name: str | None) -> ZoneInfo:
    """The named zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def format_local(value: datetime | None, tz: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``value`` in ``tz`` with the zone's abbreviation, e.g. "2026-11-23 14:05 CET"."""
    if value is None:
        return ""
    local = value.astimezone(zone(tz))
    return f"{local.strftime(fmt)} {local.tzname()}"


def format_with_utc(value: datetime | None, tz: str | None) -> str:
    """``value`` in ``tz``, named, with UTC beside it for a reader elsewhere:
    "2026-11-23 15:15 CET (14:15 UTC)"; once when the zone is UTC."""
    if value is None:
        return ""
    local = format_local(value, tz)
    if zone(tz).key in ("UTC", "Etc/UTC"):
        return local
    return f"{local} ({value.astimezone(UTC).strftime('%H:%M')} UTC)"


def time_tag(value: datetime | None, tz: str | None, fmt: str = "%Y-%m-%d %H:%M") -> Markup:
    """A <time> element: machine-readable UTC, readable text in the page's timezone."""
    if value is None:
        return Markup("")
    # HTML's valid date strings allow at most three fractional digits: write milliseconds.
    iso = value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return Markup('<time datetime="{}">{}</time>').format(iso, escape(format_local(value, tz, fmt)))


def format_duration(seconds: float) -> str:
    """A short duration for people: "45 s", "12 min", "3 h 05 min", "2 d 4 h"."""
    seconds = int(abs(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
