"""Texts as a function of the form's inputs: the form read into the facts a text is rendered
from (``app.incidents.facts``), its fingerprint (the inputs, in words), whether the lead has
touched it, and re-rendering the ones they have not. The same parsing serves the page, the
live refill and the submit."""

import hashlib
import json
from datetime import datetime

from app.admin.forms import component_statuses, to_local_input, to_utc
from app.core.settings import page_settings
from app.core.text import clean_text
from app.incidents.drafts import UpdateDraft
from app.incidents.facts import AUDIENCES, Facts, declaration_facts, update_facts
from app.incidents.lifecycle import free_public_id
from app.messages.checks import Finding, rewrite_promise
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


def finding_rows(form, findings: list[Finding], due: datetime | None) -> list[dict]:
    """The findings as the form lists them: what is wrong, on which line, and for a promised
    time the two one-action choices (the text's time becomes the due time, or the text says
    the due time)."""
    tz = page_settings().timezone
    can_move_due = getattr(form, "next_update_by", None) is not None
    rows = []
    for finding in findings:
        choices = []
        if finding.code == "promise" and finding.promised is not None and due is not None:
            where = f"{finding.audience}:{finding.line}"
            choices.append((f"due:{where}", f"Say {format_local(due, tz)} in the text"))
            if can_move_due:
                when = format_local(finding.promised, tz)
                choices.append((f"text:{where}", f"Make {when} the next update time"))
        rows.append({"finding": finding, "choices": choices})
    return rows


def show_findings(form, findings: list[Finding], due: datetime | None) -> None:
    """Put the findings on the form (the texts partial lists them) with the keys a one-action
    acceptance of its warnings sends."""
    form.findings = finding_rows(form, findings, due)
    form.blocking = any(f.blocking for f in findings)
    form.warning_keys = ",".join(f.key for f in findings if not f.blocking)


def texts_of(form) -> dict[str, str]:
    """{"external": …, "internal": …} as the form holds them."""
    return {a: getattr(form, f"{a}_body").data or "" for a in AUDIENCES}


def choose_promise(form, facts: Facts, choice: str) -> str | None:
    """Apply one choice of a promise finding ("due:external:3": the text says the due time;
    "text:external:3": the text's time becomes the next update time); what was done, or None
    when the choice no longer matches the texts."""
    which, _, where = choice.partition(":")
    audience, _, line = where.partition(":")
    found = [
        f
        for f in facts.findings(texts_of(form))
        if f.code == "promise" and f.audience == audience and str(f.line) == line
    ]
    if not found or found[0].promised is None or facts.next_update_at is None:
        return None
    finding, tz = found[0], page_settings().timezone
    if which == "due":
        body = getattr(form, f"{audience}_body")
        body.data = rewrite_promise(body.data or "", finding, facts.next_update_at, tz)
        return f"The text now says {format_local(facts.next_update_at, tz)}."
    if which == "text" and getattr(form, "next_update_by", None) is not None:
        form.next_update_by.data = to_local_input(finding.promised)
        return f"The next update is now due {format_local(finding.promised, tz)}."
    return None


def accepted_keys(values) -> frozenset[str]:
    """The warning keys a one-action acceptance sent (bounded)."""
    raw = (values.get("accept_warnings") or "")[:2000]
    return frozenset(k for k in raw.split(",") if k.strip())


def form_draft(form, *, statuses=None, prefilled=(), accepted=()) -> UpdateDraft:
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
        accepted=accepted,
        postmortem_url=getattr(getattr(form, "postmortem_url", None), "data", None),
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
