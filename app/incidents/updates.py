"""Posting updates: the one place an Update is made, the move of the state table it makes done
(``transition``: its components, the incident's times, the reminders) and signals sent."""

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from app.core import ServiceError
from app.core.audit import record
from app.core.settings import page_settings
from app.core.text import clean_text
from app.extensions import db
from app.incidents.cadence import clean_cadence, policy_minutes
from app.incidents.checking import fill_due_time, refuse_findings, text_facts
from app.incidents.drafts import CheckedDraft, UpdateDraft, clean_body
from app.incidents.holds import settle_component
from app.incidents.moments import note_action, note_moved
from app.incidents.transitions import Move, find, require, takes_updates, update_states
from app.messages.checks import check_texts
from app.messages.prefill import prefill
from app.models import (
    CLOSED_STATES,
    Audience,
    Incident,
    IncidentComponent,
    IncidentKind,
    State,
    Update,
    User,
)
from app.signals import public_changed, update_posted
from app.sqltypes import utcnow


def default_next_update(incident: Incident, state: State | str, now: datetime):
    """now + the cadence for the incident's severity and ``state``, or None if it has none."""
    if incident.kind == IncidentKind.maintenance or State(state) in CLOSED_STATES:
        return None
    minutes = policy_minutes(incident, page_settings(), state)
    return now + timedelta(minutes=minutes) if minutes else None


def add_update(
    incident: Incident,
    draft: CheckedDraft,
    *,
    state: State,
    move: Move,
    actor: User | None,
    at: datetime,
) -> Update:
    """Add a checked update to the session, do what ``move`` (its row of the state table)
    does to the components, the incident's times and its reminders, and send
    ``update_posted`` (its dispatches).

    ``draft.prefilled`` names the audiences whose text is still the untouched template text:
    it is rendered here, from the incident as this update leaves it, so the text states the
    very facts saved (components, impact, public URL) and promises the very due time the
    reminders use. A notify flag of None follows the window's ``auto_notify`` (its
    ``auto_notify_end`` for the completion)."""
    auto = incident.auto_notify_end if state == State.completed else incident.auto_notify
    update = Update(
        incident=incident,
        state=state,
        external_body=draft.external_body,
        internal_body=draft.internal_body,
        posted_by=actor,
        posted_at=at,
        notify=auto if draft.notify is None else draft.notify,
        notify_stakeholders=auto
        if draft.notify_stakeholders is None
        else draft.notify_stakeholders,
    )
    db.session.add(update)
    db.session.flush()  # the update's id ties the component changes to it
    by_component = {ic.component_id: ic for ic in incident.components}
    for component, status in draft.components:
        link = by_component.get(component.id)
        if link is None:
            incident.components.append(IncidentComponent(component=component, status=status))
        else:
            link.status = status
        settle_component(component, status, at=at, update=update, besides=incident)
    if move.components is not None:  # never better than another open incident holds it
        for link in incident.components:
            settle_component(
                link.component, move.components, at=at, update=update, besides=incident
            )
    if not move.keeps_state:
        _move_incident(incident, state, move, at=at, promised=draft.next_update_by)
    note_action(incident, actor, at=at)
    update.next_update_by = incident.next_update_due_at
    if draft.prefilled:
        render_prefilled(update, draft.prefilled, postmortem_url=draft.postmortem_url)
    check_update_texts(update, accepted=draft.accepted, actor=actor)
    db.session.flush()
    update_posted.send(None, update=update)
    return update


def _move_incident(incident: Incident, state: State, move: Move, *, at, promised) -> None:
    incident.state = state
    if move.starts:
        incident.started_at = at
    if move.watches and incident.monitoring_at is None:
        incident.monitoring_at = at
    if move.closes:
        incident.resolved_at = at
    note_moved(incident, watches=move.watches, closes=move.closes, at=at)
    due = None if move.closes else promised or default_next_update(incident, state, at)
    incident.next_update_due_at = due
    incident.snoozed_until = None


def transition(
    incident: Incident,
    to: State,
    draft: UpdateDraft | CheckedDraft,
    *,
    by: str,
    actor: User | None,
    at: datetime | None = None,
    restore_components: bool = True,
) -> Update:
    """Post ``draft`` moving ``incident`` to ``to``, as the verb ``by`` (declare, update,
    resolve, …) may by the state table, which says what else the move does. Blank texts the
    move allows are the templates' (rendered from what is saved). ``restore_components``
    False: the affected components keep their status; ``at``: the time of the update (now)."""
    move = require(incident, to, by=by)
    at = at or utcnow()
    checked = draft.check(now=at, empty=move.blank)
    if not checked.external_body and not checked.internal_body:
        checked = replace(checked, prefilled=frozenset(a.value for a in Audience))
    if not restore_components:
        move = replace(move, components=None)
    return add_update(incident, checked, state=State(to), move=move, actor=actor, at=at)


def check_update_texts(update: Update, *, accepted=(), actor: User | None) -> None:
    """Fill {{ next_update_at }} in the update's texts with its one due time, then refuse
    (TextRefused) texts with a finding the lead has not dealt with. A move nobody made (the
    maintenance tick's) has no lead to show a finding to: a text with one goes out as Crier's
    built-in text instead, and the swap is audited on the incident."""
    texts = fill_due_time(
        {"external": update.external_body, "internal": update.internal_body},
        update.next_update_by,
    )
    update.external_body, update.internal_body = texts["external"], texts["internal"]
    incident = update.incident
    facts = text_facts(
        due=update.next_update_by, affected=[link.component for link in incident.components]
    )
    if actor is None:
        _replace_what_nobody_checked(update, texts, facts)
        return
    refuse_findings(texts, facts, accepted=accepted, actor=actor, obj=update, incident=incident)


def _replace_what_nobody_checked(update: Update, texts: dict[str, str], facts) -> None:
    findings = check_texts(texts, facts)
    audiences = sorted({f.audience for f in findings})
    if not audiences:
        return
    built_in = prefill(
        update.incident, state=update.state, next_update_at=update.next_update_by, built_in=True
    )
    for audience in audiences:
        body = clean_text(built_in.get(audience, ("", ""))[1]).strip()
        filled = fill_due_time({audience: body}, update.next_update_by)[audience]
        setattr(update, f"{audience}_body", filled)
    record(
        "update.template_replaced",
        actor=None,
        obj=update,
        incident=update.incident,
        detail={"audiences": audiences, "findings": [str(f) for f in findings][:20]},
    )


def render_prefilled(
    update: Update, audiences: Collection[str], *, postmortem_url: str | None = None
) -> None:
    """Replace the texts of ``audiences`` with the templates rendered from the saved facts;
    a template that renders nothing keeps the text the lead saw."""
    texts = prefill(
        update.incident,
        state=update.state,
        next_update_at=update.next_update_by,
        postmortem_url=postmortem_url,
    )
    for audience in {str(a) for a in audiences} & {"external", "internal"}:
        body = clean_text(texts.get(str(audience), ("", ""))[1]).strip()
        if body:
            setattr(update, f"{audience}_body", body)


def announce_update(update: Update, *, components=()) -> Update:
    """Tell publishing that ``update``'s incident changed (its outbox rows, in this
    transaction) and flush; fan-out heard of it from ``add_update``.

    ``components``: public ids of components the change took off the incident (publishing
    finds the ones still on it).
    """
    public_changed.send(None, incident=update.incident.public_id, components=list(components))
    db.session.flush()
    return update


def post_update(
    incident: Incident,
    draft: UpdateDraft,
    *,
    state: State | str,
    actor: User,
    cadence_minutes: int | None = None,
) -> Update:
    """Post ``draft`` on an open incident or maintenance, which moves to ``state``.
    ``cadence_minutes``: a new cadence override from now on (None keeps the one it has)."""
    if not takes_updates(incident):
        raise ServiceError(
            "This is closed and takes no more updates; a resolved incident can get a postmortem."
        )
    allowed = update_states(incident.kind)
    if state not in allowed:
        raise ServiceError(
            f"The state must be one of {', '.join(allowed)} (resolve or complete separately).",
            field="state",
        )
    move = find(incident.kind, incident.state, state)
    if move is None or move.by != "update":  # a window's start, or back to scheduled
        raise ServiceError(
            "Start a window with “Start now” (it sets the components under maintenance); "
            "a started window cannot go back to scheduled.",
            field="state",
        )
    detail = {"state": state}
    if cadence_minutes is not None and incident.kind == IncidentKind.incident:
        incident.cadence_minutes = clean_cadence(cadence_minutes)  # the next due time follows
        detail["cadence_minutes"] = incident.cadence_minutes
    update = transition(incident, state, draft, by="update", actor=actor)
    record("update.post", actor=actor, obj=update, incident=incident, detail=detail)
    return announce_update(update)


def correct_update_text(
    update: Update, *, actor: User, external_body: str, accepted: Collection[str] = ()
) -> Update:
    """Correct the public text of a posted update (a typo, a wrong link). Nobody
    is notified again; the audit log keeps the text it replaced. An update that said nothing
    in public stays that way (the correction would reach no subscriber). The text goes
    through the same checks as a new one, against the due time that update promised."""
    text = clean_body(external_body, field="body")
    text = fill_due_time({"external": text}, update.next_update_by)["external"]
    if not update.external_body.strip():
        raise ServiceError("This update has no public text to correct.", field="body")
    if not text:
        raise ServiceError("The corrected text may not be empty.", field="body")
    if text == update.external_body:
        return update
    incident = update.incident
    facts = text_facts(
        due=update.next_update_by, affected=[link.component for link in incident.components]
    )
    refuse_findings(
        {"external": text}, facts, accepted=accepted, actor=actor, obj=update, incident=incident
    )
    record(
        "update.correct",
        actor=actor,
        obj=update,
        incident=update.incident,
        detail={"before": update.external_body},
    )
    update.external_body = text
    public_changed.send(None, incident=update.incident.public_id)
    db.session.flush()
    return update
