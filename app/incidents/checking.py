"""The checks every text of an update goes through (``app.messages.checks``), with the facts of
the incident as the update leaves it: the component statuses, the one due time, the page's words
and ticket pattern. The verbs refuse what they find; the console's preview shows the same."""

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from app.core import ServiceError
from app.core.audit import record
from app.core.settings import page_settings
from app.extensions import db
from app.messages.checks import Finding, TextFacts, check_texts, fill_next_update
from app.models import Component, Incident, User
from app.models.settings import DEFAULT_TICKET_PATTERN


class TextRefused(ServiceError):
    """Texts with findings not yet dealt with: a blocking one, or a warning not accepted."""

    def __init__(self, findings: list[Finding], open_: list[Finding]):
        first = open_[0]
        more = len(open_) - 1
        kind = "" if first.blocking else " (a warning: accept it to post anyway)"
        message = f"{first}{kind}" + (f" And {more} more." if more else "")
        super().__init__(message, field=f"{first.audience}_body")
        self.findings = findings
        self.open = open_


def text_facts(
    *, due: datetime | None, affected: Iterable[Component] = (), overrides: Mapping = ()
) -> TextFacts:
    """The facts a text is read with: every component's status (``overrides``: {Component:
    status} an update is about to set), the incident's own components, the due time."""
    settings = page_settings()
    components = list(db.session.scalars(db.select(Component).limit(10_000)))
    statuses = {c.name: str(c.status.value) for c in components}
    for component, status in dict(overrides).items():
        statuses[component.name] = str(getattr(status, "value", status))
    words = tuple(w for w in (settings.blocked_words or "").splitlines() if w.strip())
    return TextFacts(
        statuses=statuses,
        public=frozenset(c.name for c in components if c.is_public),
        affected=frozenset(c.name for c in affected),
        due=due,
        timezone=settings.timezone or "UTC",
        blocked_words=words,
        # None: the settings were never saved (the default); "": the admin turned it off.
        ticket_pattern=(
            DEFAULT_TICKET_PATTERN if settings.ticket_pattern is None else settings.ticket_pattern
        )
        or None,
    )


def incident_text_facts(incident: Incident) -> TextFacts:
    """The facts of ``incident`` as it stands (its texts were just changed, or will be)."""
    due = incident.next_update_due_at if incident.is_open else None
    return text_facts(due=due, affected=[link.component for link in incident.components])


def fill_due_time(texts: Mapping[str, str], due: datetime | None) -> dict[str, str]:
    """The texts with {{ next_update_at }} filled with the due time."""
    tz = page_settings().timezone
    return {audience: fill_next_update(text, due, tz) for audience, text in texts.items()}


def refuse_findings(
    texts: Mapping[str, str],
    facts: TextFacts,
    *,
    accepted: Collection[str],
    actor: User | None,
    obj,
    incident: Incident,
) -> list[Finding]:
    """Raise TextRefused for a blocking finding or a warning not in ``accepted`` (keys); the
    warnings accepted are audited. Returns the findings."""
    findings = check_texts(texts, facts)
    open_ = [f for f in findings if f.blocking or f.key not in set(accepted)]
    if open_:
        open_.sort(key=lambda f: not f.blocking)
        raise TextRefused(findings, open_)
    if findings:
        record(
            "update.warnings_accepted",
            actor=actor,
            obj=obj,
            incident=incident,
            detail={"warnings": [str(f) for f in findings]},
        )
    return findings
