"""Times for people: UTC in storage, the page's timezone (named) on the page."""

import re
from datetime import UTC, datetime, timedelta
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


# A time as the page writes it in a text: "2026-12-03 09:03 CET", or after one of those in the
# same text "to 04:00 CET" (the date is the last one written, the next day if the time is
# earlier). The name must be the zone's own abbreviation at that moment, else it is not ours.
_WRITTEN = re.compile(
    r"(?<![\w:-])(?:(?P<date>\d{4}-\d{2}-\d{2}) )?(?P<time>\d{2}:\d{2}) "
    r"(?P<abbr>[A-Z][A-Za-z]{1,5}|[+-]\d{2}(?:\d{2})?)(?![\w(])"
)


def written_times(text: str, tz: str | None):
    """(start, end, the moment in UTC) of each time written in ``text`` in the page's zone."""
    where, last_date, last = zone(tz), None, None
    for match in _WRITTEN.finditer(text or ""):
        day = match["date"] or last_date
        if day is None:
            continue
        try:
            naive = datetime.strptime(f"{day} {match['time']}", "%Y-%m-%d %H:%M")
        except ValueError:
            continue
        local = naive.replace(tzinfo=where)
        if not match["date"] and last is not None and local < last:
            local = (naive + timedelta(days=1)).replace(tzinfo=where)
        if local.tzname() != match["abbr"]:
            continue  # another zone's time, or not a time at all
        last_date, last = local.strftime("%Y-%m-%d"), local
        yield match.start(), match.end(), local.astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def mark_times(html: str, tz: str | None) -> Markup:
    """Safe HTML with each time written in the page's zone wrapped in ``<time datetime>``, as
    the page's own times are, so a reader's browser shows it in the reader's zone (the text
    as written stays for a reader without JavaScript). Tags, code and existing <time> are
    left alone."""
    out, skip = [], 0
    for part in re.split(r"(<[^>]*>)", str(html)):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name[1].lower() in ("time", "code", "pre"):
                skip += -1 if part.startswith("</") else 1
            out.append(part)
            continue
        if skip > 0:
            out.append(part)
            continue
        done = 0
        for start, end, moment in written_times(part, tz):
            out.append(part[done:start])
            out.append(f'<time datetime="{_iso(moment)}">{part[start:end]}</time>')
            done = end
        out.append(part[done:])
    return Markup("".join(out))  # noqa: S704 - only escaped text and our own <time> tags


def with_utc(text: str, tz: str | None) -> str:
    """``text`` with UTC beside each time written in the page's zone, for an email read
    anywhere: "09:03 CET" becomes "09:03 CET (08:03 UTC)"; unchanged when the zone is UTC."""
    if zone(tz).key in ("UTC", "Etc/UTC"):
        return text
    out, done = [], 0
    for _start, end, moment in written_times(text, tz):
        if text[end : end + 2] == " (":
            continue  # already says something beside it
        out.append(text[done:end] + f" ({moment.strftime('%H:%M')} UTC)")
        done = end
    out.append(text[done:])
    return "".join(out)
