"""Texts as a function of the form's inputs: the facts a text is rendered from, its
fingerprint (the inputs, in words), whether the lead has touched it, and re-rendering the
ones they have not. The same parsing serves the page, the live refill and the submit."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from app.admin.forms import component_statuses, to_utc
from app.core import ServiceError
from app.core.settings import page_settings
from app.core.text import clean_line, clean_text
from app.incidents.cadence import CADENCE_LIMITS, policy_minutes
from app.incidents.components import all_components
from app.incidents.lifecycle import clean_user, free_public_id, impact_for
from app.incidents.updates import POSTABLE_STATES, default_next_update
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

    def render(self) -> dict:
        """{"external": (subject, body), "internal": (…)} for these facts."""
        try:
            return prefill(
                self.incident,
                state=self.state,
                next_update_at=self.next_update_at,
                components=self.components,
            )
        except ValueError:  # an unknown state: nothing to prefill
            return {a: ("", "") for a in AUDIENCES}


def due_hint(default_due: datetime | None) -> str:
    """What a blank "next update by" means: the same time the texts promise and reminders use."""
    if default_due is None:
        return "Blank: no update is due in this state."
    when = format_local(default_due, page_settings().timezone)
    return f"Blank: {when}, now + the cadence for the severity and state."


def text_hash(text: str | None) -> str:
    """The hash of a text as the form submits it (line ends and outer spaces do not count)."""
    return hashlib.sha256(clean_text(text).strip().encode()).hexdigest()[:32]


def _person(user_id, role):
    try:
        return clean_user(user_id, field=role)
    except ServiceError:
        return None


def _statuses(values) -> list[tuple[Component, ComponentStatus]]:
    """The valid (component, status) pairs chosen in the form, in page order."""
    chosen = component_statuses(values)
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


def declare_facts(form, values=None) -> Facts:
    """The facts of the declare form (a draft incident; its public id allocated once)."""
    form.public_id.data = free_public_id(form.public_id.data)
    severity = form.severity.data if form.severity.data in Severity.__members__ else "SEV3"
    allowed = [s.value for s in POSTABLE_STATES[IncidentKind.incident]]
    state = form.state.data if form.state.data in allowed else allowed[0]
    pairs = _statuses(values)
    impact, cadence = form.impact.data, form.cadence_minutes.data
    low, high = CADENCE_LIMITS
    draft = Incident(
        public_id=form.public_id.data,
        title=clean_line(form.title.data)[:200] or "(title)",
        kind=IncidentKind.incident,
        severity=Severity(severity),
        impact=Impact(impact) if impact in Impact.__members__ else impact_for(s for _, s in pairs),
        state=State(state),
        is_public=bool(form.is_public.data),
        started_at=utcnow(),
        lead=_person(form.lead.data, "lead"),
        commander=_person(form.commander.data, "commander"),
        cadence_minutes=cadence if isinstance(cadence, int) and low <= cadence <= high else None,
    )
    promised = to_utc(form.next_update_by.data)
    due, default, cadence = _due(draft, state, promised)
    return Facts(
        draft,
        state,
        components=[c for c, _ in pairs],
        next_update_at=due,
        default_due=default,
        inputs=_inputs(draft, state, pairs, promised, cadence),
    )


def update_facts(incident: Incident, form, values=None) -> Facts:
    """The facts of an update form: the incident with the chosen state and statuses."""
    linked = {link.component_id: link.status for link in incident.components}
    chosen = dict(_statuses(values))
    pairs = [
        (c, chosen.get(c, linked.get(c.id)))
        for c in all_components()
        if c in chosen or c.id in linked
    ]
    promised = to_utc(getattr(form.next_update_by, "data", None))
    due, default, cadence = _due(incident, form.state.data, promised)
    if not promised and incident.snoozed_until and incident.snoozed_until > utcnow():
        due = default = incident.snoozed_until  # the text can say the snoozed time
    return Facts(
        incident,
        form.state.data,
        components=[c for c, _ in pairs],
        next_update_at=due,
        default_due=default,
        inputs=_inputs(incident, str(form.state.data), pairs, promised, cadence),
    )


def closing_facts(incident: Incident, state: State) -> Facts:
    """The facts of a resolve, postmortem or maintenance action form."""
    pairs = [(link.component, link.status) for link in incident.components]
    return Facts(incident, state, inputs=_inputs(incident, str(state), pairs, None, "no cadence"))


def fingerprint(inputs: dict) -> str:
    """The inputs as the form carries them."""
    return json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def written_for(carried: str | None, inputs: dict) -> str | None:
    """What a text was written for, in the words of the inputs that changed since, or None
    when they did not. A form that carried no fingerprint: "other inputs"."""
    try:
        old = json.loads(carried or "")
    except ValueError:
        old = None
    if not isinstance(old, dict):
        return "other inputs"
    changed = [str(old.get(k, "")) for k in inputs if str(old.get(k, "")) != inputs[k]]
    return " · ".join(v or "(blank)" for v in changed) or None


def untouched(form) -> list[str]:
    """The audiences whose text is still exactly the prefill the form carried."""
    return [
        a
        for a in AUDIENCES
        if getattr(form, f"{a}_hash").data
        and text_hash(getattr(form, f"{a}_body").data) == getattr(form, f"{a}_hash").data
    ]


def fill(form, facts: Facts, rendered: dict, audiences=AUDIENCES) -> None:
    """Put the rendered texts of ``audiences`` in the form, with what they were made from."""
    for audience in audiences:
        body = rendered[audience][1]
        getattr(form, f"{audience}_body").data = body
        getattr(form, f"{audience}_for").data = fingerprint(facts.inputs)
        getattr(form, f"{audience}_hash").data = text_hash(body)


def sync(form, facts: Facts, rendered: dict, *, force=()) -> dict[str, str]:
    """Re-render every untouched text (and those in ``force``) from ``facts``; return the
    notices for edited texts written for other inputs: {audience: "SEV3 · investigating"}."""
    refill = [a for a in AUDIENCES if a in untouched(form) or a in force]
    fill(form, facts, rendered, refill)
    form.edited_texts = [a for a in AUDIENCES if a not in refill]  # for console.js
    notices = {}
    for audience in AUDIENCES:
        if audience not in refill:
            label = written_for(getattr(form, f"{audience}_for").data, facts.inputs)
            if label:
                notices[audience] = label
    return notices
