"""Texts as a function of the form's inputs: the form read into the facts a text is rendered
from (``app.incidents.facts``), its fingerprint (the inputs, in words), whether the lead has
touched it, and re-rendering the ones they have not. The same parsing serves the page, the
live refill and the submit."""

import hashlib
import json
from datetime import datetime

from app.admin.forms import component_statuses, to_utc
from app.core.settings import page_settings
from app.core.text import clean_text
from app.incidents.drafts import UpdateDraft
from app.incidents.facts import AUDIENCES, Facts, declaration_facts, update_facts
from app.incidents.lifecycle import free_public_id
from app.models import Incident
from app.timefmt import format_local


def due_hint(default_due: datetime | None) -> str:
    """What a blank "next update by" means: the same time the texts promise and reminders use."""
    if default_due is None:
        return "Blank: no update is due in this state."
    when = format_local(default_due, page_settings().timezone)
    return f"Blank: {when}, now + the cadence for the severity and state."


def text_hash(text: str | None) -> str:
    """The hash of a text as the form submits it (line ends and outer spaces do not count)."""
    return hashlib.sha256(clean_text(text).strip().encode()).hexdigest()[:32]


def declare_form_facts(form, values=None) -> Facts:
    """The facts of the declare form (its public id allocated on first render, so the texts
    can name the public page); ``values``: another source of the component selects."""
    form.public_id.data = free_public_id(form.public_id.data)
    return declaration_facts(
        public_id=form.public_id.data,
        title=form.title.data,
        severity=form.severity.data,
        state=form.state.data,
        statuses=component_statuses(values),
        impact=form.impact.data,
        cadence_minutes=form.cadence_minutes.data,
        is_public=form.is_public.data,
        lead_id=form.lead.data,
        commander_id=form.commander.data,
        promised=to_utc(form.next_update_by.data),
    )


def update_form_facts(incident: Incident, form, values=None) -> Facts:
    """The facts of an update form: the incident with the chosen state and statuses."""
    return update_facts(
        incident,
        state=form.state.data,
        statuses=component_statuses(values),
        promised=to_utc(getattr(form.next_update_by, "data", None)),
    )


def form_draft(form, *, statuses=None, prefilled=()) -> UpdateDraft:
    """The update a form with texts describes (``statuses``: its component selects, read by
    ``component_statuses``; ``prefilled``: its untouched texts, read before any refill)."""
    next_update_by = getattr(form, "next_update_by", None)
    return UpdateDraft(
        external_body=form.external_body.data,
        internal_body=form.internal_body.data,
        component_statuses=statuses or {},
        next_update_by=to_utc(next_update_by.data) if next_update_by is not None else None,
        notify=form.notify.data,
        notify_stakeholders=form.notify_stakeholders.data,
        prefilled=prefilled,
    )


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
