"""An update as the lead writes it (``UpdateDraft``), and the one place its fields are checked:
the texts, the component statuses and the promised time of the next update."""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from urllib.parse import urlsplit

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


def clean_link(value: str | None, *, field: str) -> str | None:
    """A whole http(s) address (a scheme and a host with a dot), or None for a blank."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        scheme, host = parts.scheme, parts.hostname or ""
    except ValueError:
        scheme, host = "", ""
    if scheme not in ("http", "https") or "." not in host.strip(".") or len(value) > 2000:
        raise ServiceError(
            "Give the whole address, like https://example.com/postmortem.", field=field
        )
    return value


@dataclass(frozen=True)
class UpdateDraft:
    """One update as the console's form or an /api/v1 body describes it, before any check:
    its two texts, the component statuses it sets, the promised time of the next update, who
    is told, and the audiences whose text is still the untouched template text (``prefilled``:
    rendered again from what is saved). What is not part of an update (a title, a severity,
    people, the actor) the verbs take beside it."""

    external_body: str | None = ""
    internal_body: str | None = ""
    component_statuses: Mapping[str, str] = field(default_factory=dict)
    next_update_by: datetime | None = None
    notify: bool | None = True  # None: as the window's auto_notify (its automatic moves)
    notify_stakeholders: bool | None = True
    prefilled: Collection[str] = frozenset()
    accepted: Collection[str] = frozenset()  # the keys of the text warnings the lead accepted
    postmortem_url: str | None = None  # the postmortem's address, for its texts

    def __post_init__(self):
        # Frozen all the way down: a draft handed to a verb cannot change under it.
        statuses = MappingProxyType(dict(self.component_statuses or {}))
        object.__setattr__(self, "component_statuses", statuses)
        object.__setattr__(self, "prefilled", frozenset(str(a) for a in self.prefilled))
        object.__setattr__(self, "accepted", frozenset(str(k) for k in self.accepted))

    def check(self, *, now: datetime, empty: str | None = None) -> "CheckedDraft":
        """The draft with its fields checked, or a ServiceError naming the field; with
        ``empty`` (the message), at least one text must say something."""
        external, internal = clean_texts(self.external_body, self.internal_body, empty=empty)
        return CheckedDraft(
            external_body=external,
            internal_body=internal,
            components=tuple(clean_component_statuses(self.component_statuses)),
            next_update_by=clean_next_update_by(self.next_update_by, now=now),
            notify=self.notify,
            notify_stakeholders=self.notify_stakeholders,
            prefilled=self.prefilled,
            accepted=self.accepted,
            postmortem_url=clean_link(self.postmortem_url, field="postmortem_url"),
        )


@dataclass(frozen=True)
class CheckedDraft:
    """A draft whose fields passed their checks: clean texts, the components found."""

    external_body: str
    internal_body: str
    components: tuple[tuple[Component, ComponentStatus], ...]
    next_update_by: datetime | None
    notify: bool | None
    notify_stakeholders: bool | None
    prefilled: frozenset[str]
    accepted: frozenset[str] = frozenset()
    postmortem_url: str | None = None

    def check(self, *, now: datetime, empty: str | None = None) -> "CheckedDraft":
        """Itself: a verb that needed the draft's facts first (declare: the impact follows
        the components) checked it already, with the same rule."""
        return self


BLANK = UpdateDraft()  # no text of the lead's: the verb or the templates write it
AUTOMATIC = UpdateDraft(notify=None, notify_stakeholders=None)  # the maintenance tick's
