"""The facts an update's texts are rendered from, as a form would submit them: the incident (a
draft one before it is declared), the state, the affected components, the time the texts promise,
the time a blank "next update by" means, and the same inputs in words (the fingerprint the
console keeps beside each text). The console reads its forms into these; nothing here is saved."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.core import ServiceError
from app.core.settings import page_settings
from app.core.text import clean_line
from app.incidents.cadence import CADENCE_LIMITS, policy_minutes
from app.incidents.checking import fill_due_time, text_facts
from app.incidents.components import all_components
from app.incidents.lifecycle import clean_user, impact_for
from app.incidents.transitions import opening_states
from app.incidents.updates import default_next_update
from app.messages.checks import Finding, check_texts
from app.messages.prefill import prefill
from app.models import Component, ComponentStatus, Impact, Incident, IncidentKind, Severity, State
from app.sqltypes import utcnow
from app.timefmt import format_local

AUDIENCES = ("external", "internal")


@dataclass
class Facts:
    """What the texts of one form say, as the form would submit it."""

    incident: Incident  # a draft before declaration; never changed otherwise
    state: str
    components: list[Component] | None = None  # the affected ones (None: the incident's)
    next_update_at: datetime | None = None  # the time the texts promise
    default_due: datetime | None = None  # the time a blank "next update by" means
    inputs: dict[str, str] = field(default_factory=dict)  # the fingerprint, in words
    statuses: dict | None = None  # {Component: status} as the update would leave them
    postmortem_url: str | None = None

    def findings(self, texts: dict[str, str]) -> list[Finding]:
        """What the checks find in ``texts`` ({"external": …, "internal": …}) read with
        these facts: the preview shows what posting would refuse."""
        affected = self.components
        if affected is None:
            affected = [link.component for link in self.incident.components]
        facts = text_facts(
            due=self.next_update_at, affected=affected, overrides=self.statuses or {}
        )
        return check_texts(fill_due_time(texts, self.next_update_at), facts)

    def render(self) -> dict:
        """{"external": (subject, body), "internal": (…)} for these facts."""
        try:
            return prefill(
                self.incident,
                state=self.state,
                next_update_at=self.next_update_at,
                components=self.components,
                statuses=self.statuses,
                postmortem_url=self.postmortem_url,
            )
        except ValueError:  # an unknown state: nothing to prefill
            return {a: ("", "") for a in AUDIENCES}


def _person(user_id, role):
    try:
        return clean_user(user_id, field=role)
    except ServiceError:
        return None


def _pairs(chosen: Mapping[str, str]) -> list[tuple[Component, ComponentStatus]]:
    """The valid (component, status) pairs of {component public id: status}, in page order."""
    pairs = []
    for component in all_components():
        status = chosen.get(component.public_id)
        if status in ComponentStatus.__members__:
            pairs.append((component, ComponentStatus(status)))
    return pairs


def _words(pairs) -> str:
    return "; ".join(f"{c.name}: {s.value.replace('_', ' ')}" for c, s in pairs) or "none"


def _due(incident, state, promised):
    now = utcnow()
    try:
        default = default_next_update(incident, state, now)
    except ValueError:
        default = None
    minutes = policy_minutes(incident, page_settings(), state) if default else None
    return (promised or default), default, (f"every {minutes} min" if minutes else "no cadence")


def _inputs(incident: Incident, state: str, pairs, promised, cadence) -> dict[str, str]:
    tz = page_settings().timezone
    return {
        "severity": str(incident.severity),
        "state": state.replace("_", " "),
        "components": _words(pairs),
        "impact": str(incident.impact),
        "public": "public" if incident.is_public else "internal only",
        "lead": incident.lead.name if incident.lead else "unassigned",
        "commander": incident.commander.name if incident.commander else "unassigned",
        "next update": format_local(promised, tz) if promised else "from the cadence",
        "cadence": cadence,
        "title": f"“{incident.title}”",
    }


def _facts(incident: Incident, state, pairs, promised: datetime | None) -> Facts:
    """The facts of ``incident`` moving to ``state`` with ``pairs`` affected: the texts promise
    ``promised``, else a snooze still running, else the cadence's time."""
    due, default, cadence = _due(incident, state, promised)
    if not promised and incident.snoozed_until and incident.snoozed_until > utcnow():
        due = default = incident.snoozed_until  # the text can say the snoozed time
    return Facts(
        incident,
        state,
        components=[c for c, _ in pairs],
        statuses={c: s for c, s in pairs if s is not None},
        next_update_at=due,
        default_due=default,
        inputs=_inputs(incident, str(state), pairs, promised, cadence),
    )


def declaration_facts(
    *,
    public_id: str,
    title: str | None,
    severity,
    state,
    statuses: Mapping[str, str],
    impact,
    cadence_minutes,
    is_public,
    lead_id,
    commander_id,
    promised: datetime | None,
) -> Facts:
    """The facts of an incident about to be declared (a draft incident, never saved); an input
    that does not check out falls back to its default, so the texts can always be shown."""
    severity = severity if severity in Severity.__members__ else "SEV3"
    allowed = [s.value for s in opening_states(IncidentKind.incident)]
    state = state if state in allowed else allowed[0]
    pairs = _pairs(statuses)
    low, high = CADENCE_LIMITS
    if not (isinstance(cadence_minutes, int) and low <= cadence_minutes <= high):
        cadence_minutes = None
    draft = Incident(
        public_id=public_id,
        title=clean_line(title)[:200] or "(title)",
        kind=IncidentKind.incident,
        severity=Severity(severity),
        impact=Impact(impact) if impact in Impact.__members__ else impact_for(s for _, s in pairs),
        state=State(state),
        is_public=bool(is_public),
        started_at=utcnow(),
        lead=_person(lead_id, "lead"),
        commander=_person(commander_id, "commander"),
        cadence_minutes=cadence_minutes,
    )
    return _facts(draft, state, pairs, promised)


def update_facts(
    incident: Incident, *, state, statuses: Mapping[str, str], promised: datetime | None
) -> Facts:
    """The facts of an update: the incident with the chosen state and statuses."""
    linked = {link.component_id: link.status for link in incident.components}
    chosen = dict(_pairs(statuses))
    pairs = [
        (c, chosen.get(c, linked.get(c.id)))
        for c in all_components()
        if c in chosen or c.id in linked
    ]
    return _facts(incident, state, pairs, promised)


def closing_facts(incident: Incident, state: State, *, postmortem_url: str | None = None) -> Facts:
    """The facts of a resolve, postmortem or maintenance action (``postmortem_url``: the link
    a postmortem's texts give)."""
    pairs = [(link.component, link.status) for link in incident.components]
    inputs = _inputs(incident, str(state), pairs, None, "no cadence")
    if postmortem_url is not None:
        inputs["postmortem"] = postmortem_url or "(no link)"
    return Facts(incident, state, inputs=inputs, postmortem_url=postmortem_url)
