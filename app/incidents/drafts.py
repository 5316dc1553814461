"""An update as the lead writes it, and the checks of its fields: the texts, the component
statuses and the promised time of the next update."""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from app.core import ServiceError
from app.core.text import clean_text
from app.extensions import db
from app.models import Component, ComponentStatus

MAX_BODY = 20_000
# Markdown is rendered without raw HTML and sanitised anyway; refusing these tells the lead
# at once that the text will not do what they meant.
_RAW_HTML = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|svg|img|form|input|link|meta)\b|javascript:",
    re.IGNORECASE,
)


def clean_body(text: str | None, *, field: str) -> str:
    """The Markdown text, stripped, or a ServiceError if it is too long or holds raw HTML."""
    text = clean_text(text).strip()
    if len(text) > MAX_BODY:
        raise ServiceError(f"Keep the text under {MAX_BODY} characters.", field=field)
    match = _RAW_HTML.search(text)
    if match:
        raise ServiceError(
            f"Raw HTML ({match.group(0)}…) is not allowed in update text; write Markdown.",
            field=field,
        )
    return text


def clean_texts(
    external_body: str | None, internal_body: str | None, *, empty: str | None = None
) -> tuple[str, str]:
    """Both texts cleaned; with ``empty`` (the message), at least one must say something."""
    external = clean_body(external_body, field="external_body")
    internal = clean_body(internal_body, field="internal_body")
    if empty and not external and not internal:
        raise ServiceError(empty, field="external_body")
    return external, internal


def clean_component_statuses(statuses: Mapping[str, str] | None) -> list:
    """[(Component, ComponentStatus)] from {component public id: status}; blanks are skipped."""
    pairs = []
    for public_id, status in (statuses or {}).items():
        if not status:
            continue
        component = db.session.scalar(db.select(Component).filter_by(public_id=public_id))
        if component is None:
            raise ServiceError(f"There is no component {public_id!r}.", field="components")
        try:
            pairs.append((component, ComponentStatus(status)))
        except ValueError:
            raise ServiceError(
                f"{status!r} is not a component status.", field="components"
            ) from None
    return pairs


def clean_next_update_by(value: datetime | None, *, now: datetime) -> datetime | None:
    """A promised time for the next update: in the future, within a week."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ServiceError("Give the next update time with its timezone.", field="next_update_by")
    if value <= now:
        raise ServiceError("The next update time must be in the future.", field="next_update_by")
    if value > now + timedelta(days=7):
        raise ServiceError("Promise the next update within a week.", field="next_update_by")
    return value
