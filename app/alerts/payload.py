"""Alertmanager's webhook body (version 4) read into plain alerts. A malformed body is a
``PayloadError``; one malformed alert is reported by its index and the others still count.

Every string an alert carries (labels, annotations, its fingerprint and group) is cleaned here,
the one door alerts come in by, as every typed text is (``app.core.text``): a lone surrogate, a
control character or a bidirectional override never reaches a row, a response or a text."""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.core.text import clean_line, clean_text

MAX_ALERTS = 1000
_TEXT_MAX = 2000


class PayloadError(ValueError):
    """The body is not an Alertmanager notification; the message says why."""


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    firing: bool
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    group_key: str

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "") or "alert"

    @property
    def summary(self) -> str:
        """The alert's title: its ``summary`` annotation, else its name."""
        return clean_line(self.annotations.get("summary") or self.name)[:200] or "alert"


@dataclass(frozen=True)
class Notification:
    group_key: str
    alerts: list[Alert]
    errors: list[dict]  # {"index": i, "error": why} for each alert left out


def _strings(value, what: str, *, clean=clean_line) -> dict[str, str]:
    """Names to strings, each cleaned (``clean``: one line for labels, text for annotations)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= _TEXT_MAX for k, v in value.items()
    ):
        raise PayloadError(f"“{what}” must map names to strings.")
    return {clean_line(k): clean(v) for k, v in value.items()}


def _line(value, what: str, longest: int) -> str:
    """A cleaned one-line string of 1 to ``longest`` characters."""
    text = clean_line(value) if isinstance(value, str) else ""
    if not 1 <= len(text) <= longest:
        raise PayloadError(f"“{what}” must be a string of 1 to {longest} characters.")
    return text


def parse_time(value, what: str, *, optional: bool = False) -> datetime | None:
    """An RFC 3339 time (nanoseconds allowed); Go's zero time (year 1) means none."""
    if value in (None, "") and optional:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise PayloadError(f"“{what}” must be an RFC 3339 time.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise PayloadError(f"“{what}” must be an RFC 3339 time, not {value[:40]!r}.") from None
    if parsed.tzinfo is None:
        raise PayloadError(f"“{what}” needs its timezone.")
    if parsed.year <= 1:
        if optional:
            return None
        raise PayloadError(f"“{what}” is Go's zero time.")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise PayloadError(f"“{what}” is out of range.") from None


def _alert(raw, group_key: str) -> Alert:
    if not isinstance(raw, dict):
        raise PayloadError("An alert must be a JSON object.")
    status = raw.get("status")
    if status not in ("firing", "resolved"):
        raise PayloadError("“status” must be firing or resolved.")
    return Alert(
        fingerprint=_line(raw.get("fingerprint"), "fingerprint", 64),
        firing=status == "firing",
        labels=_strings(raw.get("labels"), "labels"),
        annotations=_strings(raw.get("annotations"), "annotations", clean=clean_text),
        starts_at=parse_time(raw.get("startsAt"), "startsAt"),
        ends_at=parse_time(raw.get("endsAt"), "endsAt", optional=True),
        group_key=group_key,
    )


def parse_notification(data) -> Notification:
    """The alerts of one webhook body, or a PayloadError if the body itself is wrong."""
    if not isinstance(data, dict):
        raise PayloadError("Send Alertmanager's webhook JSON object.")
    if data.get("version") != "4":
        raise PayloadError("Only version 4 of Alertmanager's webhook payload is understood.")
    group_key = _line(data.get("groupKey"), "groupKey", 500)
    raw_alerts = data.get("alerts")
    if not isinstance(raw_alerts, list):
        raise PayloadError("“alerts” must be a list.")
    if len(raw_alerts) > MAX_ALERTS:
        raise PayloadError(f"At most {MAX_ALERTS} alerts per notification.")
    alerts, errors = [], []
    for index, raw in enumerate(raw_alerts):
        try:
            alerts.append(_alert(raw, group_key))
        except PayloadError as exc:
            errors.append({"index": index, "error": str(exc)})
    return Notification(group_key, alerts, errors)
