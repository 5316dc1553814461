"""Statuspage's incident bodies mapped onto Crier's verbs, all in the request's one unit of
work: a check that fails in any verb rolls back the whole request, so it changes nothing.

Supported from Statuspage's body: ``name``, ``status``, ``body``, ``impact_override``,
``components`` (id → status), ``component_ids``, ``deliver_notifications``,
``scheduled_for``/``scheduled_until``, and ``auto_transition_deliver_notifications_at_start``/
``_at_end`` (whether the automatic start, and the completion, notify), ``scheduled_remind_prior``
(reminders before the start). Accepted and ignored: the other ``auto_transition_*``/
``scheduled_auto_*`` flags (Crier always starts and completes a window on time),
``auto_tweet_*``, ``metadata``, ``backfill_date``/``backfilled``. Crier's extras:
``internal_body``, ``severity``, ``lead_email``, ``commander_email``, ``next_update_by``,
``is_public``, ``scheduled_remind_times``.
"""

from flask import abort

from app.alerts.rules import on_duty
from app.core.users import user_by_email
from app.incidents import lifecycle, maintenance
from app.incidents.drafts import UpdateDraft
from app.incidents.maintenance_notices import set_reminders
from app.incidents.transitions import opening_states, states
from app.incidents.updates import post_update
from app.models import ComponentStatus, IncidentKind, Role, Severity, State

INCIDENT_STATES = states(IncidentKind.incident)
# Statuspage's maintenance statuses: a window is cancelled by DELETE.
MAINTENANCE_STATES = [s for s in states(IncidentKind.maintenance) if s != State.cancelled]


def _person(obj, key) -> int | None:
    email = obj.get(key)
    if not email:
        return None
    user = user_by_email(email)
    if user is None or not user.active or not user.can(Role.lead):
        abort(422, description=f"“{key}” must be the address of an active lead or admin.")
    return user.id


def _default_lead(key) -> int:
    """Who leads what the key opens when the request names nobody: the key's creator (a
    person who can be reminded), else, for a key with no such person (made by the CLI
    without ``--owner``, or its creator left), the on-duty lead, as for Alertmanager's."""
    creator = key.created_by
    if creator and creator.active and creator.can(Role.lead):
        return creator.id
    people = on_duty()
    if not people:
        abort(
            422,
            description="There is no active lead or admin to lead the incident (reminders "
            "must reach a person): add one, or send lead_email.",
        )
    return people[0].id


def _affected(obj, incident=None) -> dict[str, str]:
    """{component id: status}: the ``components`` map, plus ``component_ids`` not in it at
    the status they have now (affected, not changed)."""
    statuses = dict(obj.get("components") or {})
    for component_id in obj.get("component_ids", ()):
        if component_id not in statuses:
            statuses[component_id] = _current_status(component_id)
    return statuses


def _current_status(component_id: str) -> str:
    from app.incidents.components import get_component

    component = get_component(component_id)
    if component is None:
        abort(422, description=f"There is no component {component_id!r}.")
    return component.status.value


def _texts(obj, *, fallback: str) -> dict:
    """The texts and the audiences left to the message templates (as the console prefills)."""
    external, internal = obj.get("body") or "", obj.get("internal_body") or ""
    prefilled = [a for a, t in (("external", external), ("internal", internal)) if not t]
    if not external and not internal:
        internal = fallback  # kept if no template renders anything
    return {
        "external_body": external,
        "internal_body": internal,
        "prefilled": prefilled,
        "accepted": obj.get("accept_warnings") or (),
    }


def _notify(obj) -> bool:
    """Whether to notify: Statuspage's ``deliver_notifications``, true unless sent false."""
    return obj.get("deliver_notifications", True)


def open_incident(obj: dict, *, actor, key):
    """Declare an incident, or schedule a maintenance window."""
    name = obj.get("name") or ""
    status = obj.get("status")
    start, end = obj.get("scheduled_for"), obj.get("scheduled_until")
    if status in MAINTENANCE_STATES or (status is None and start is not None):
        if status not in (None, *opening_states(IncidentKind.maintenance)):
            abort(422, description="Create a maintenance as scheduled; it starts on time.")
        at_start = obj.get("auto_transition_deliver_notifications_at_start")
        at_end = obj.get("auto_transition_deliver_notifications_at_end")
        return maintenance.schedule_maintenance(
            UpdateDraft(
                external_body=obj.get("body") or "",
                internal_body=obj.get("internal_body") or "",
                notify=_notify(obj),
            ),
            title=name,
            scheduled_for=start,
            scheduled_until=end,
            actor=actor,
            components=list(_affected(obj)),
            auto_notify=bool(at_start),
            auto_notify_end=bool(at_end),
            remind_prior=bool(obj.get("scheduled_remind_prior")),
            remind_minutes=obj.get("scheduled_remind_times"),
            lead_id=_person(obj, "lead_email") or _default_lead(key),
        )
    if status not in (None, *opening_states(IncidentKind.incident)):
        abort(
            422,
            description="Create an incident as investigating, identified or monitoring "
            "(then PATCH it to resolved).",
        )
    return lifecycle.declare_incident(
        UpdateDraft(
            component_statuses=_affected(obj),
            notify=_notify(obj),
            next_update_by=obj.get("next_update_by"),
            **_texts(obj, fallback=f"Declared through the API as {status or 'investigating'}."),
        ),
        title=name,
        actor=actor,
        severity=obj.get("severity") or Severity.SEV3,
        state=status,
        impact=obj.get("impact_override"),
        lead_id=_person(obj, "lead_email") or _default_lead(key),
        commander_id=_person(obj, "commander_email"),
        is_public=obj.get("is_public", True),
    )


def change_incident(incident, obj: dict, *, actor) -> None:
    """Apply a PATCH/PUT: edits first (only what differs), then the status or update."""
    if incident.kind == IncidentKind.maintenance:
        return _change_maintenance(incident, obj, actor=actor)
    status = obj.get("status")
    if status is not None and status not in INCIDENT_STATES:
        abort(422, description=f"An incident's status is one of {', '.join(INCIDENT_STATES)}.")
    statuses = _affected(obj)
    if status == "resolved" and any(s != ComponentStatus.operational for s in statuses.values()):
        abort(422, description="Resolving gives the components back as operational.")
    texts = _texts(obj, fallback=f"Marked {status or incident.state} through the API.")
    notify, next_by = _notify(obj), obj.get("next_update_by")
    _edit_incident(incident, obj, actor=actor)
    wants_update = statuses or obj.get("body") or obj.get("internal_body")
    if status == "resolved":
        if incident.is_open:
            lifecycle.resolve_incident(incident, UpdateDraft(notify=notify, **texts), actor=actor)
    elif status == "postmortem":
        texts.pop("internal_body")
        lifecycle.post_postmortem(incident, UpdateDraft(notify=notify, **texts), actor=actor)
    elif (status and status != incident.state) or wants_update:
        post_update(
            incident,
            UpdateDraft(
                component_statuses=statuses, notify=notify, next_update_by=next_by, **texts
            ),
            state=status or incident.state,
            actor=actor,
        )


def _edit_incident(incident, obj, *, actor) -> None:
    fields = {
        "title": obj.get("name") or incident.title,
        "severity": obj.get("severity") or incident.severity.value,
        "impact": obj.get("impact_override") or incident.impact.value,
    }
    lead, commander = _person(obj, "lead_email"), _person(obj, "commander_email")
    differs = (
        fields["title"] != incident.title
        or fields["severity"] != incident.severity.value
        or fields["impact"] != incident.impact.value
        or (lead and lead != incident.lead_id)
        or (commander and commander != incident.commander_id)
    )
    if differs:
        lifecycle.edit_incident(
            incident,
            actor=actor,
            lead_id=lead or incident.lead_id,
            commander_id=commander or incident.commander_id,
            **fields,
        )


def _change_reminders(incident, obj, *, actor) -> None:
    """``scheduled_remind_prior`` and ``scheduled_remind_times``, where the body has them."""
    if "scheduled_remind_prior" in obj or "scheduled_remind_times" in obj:
        set_reminders(
            incident,
            remind_prior=obj.get("scheduled_remind_prior", incident.remind_prior),
            remind_minutes=obj.get("scheduled_remind_times", incident.remind_minutes),
            actor=actor,
        )


def _change_maintenance(incident, obj, *, actor) -> None:
    status = obj.get("status")
    if status is not None and status not in MAINTENANCE_STATES:
        abort(422, description=f"A maintenance's status is one of {', '.join(MAINTENANCE_STATES)}.")
    name = obj.get("name")
    start, end = obj.get("scheduled_for"), obj.get("scheduled_until")
    ids = list(_affected(obj)) if ("components" in obj or "component_ids" in obj) else None
    text, internal = obj.get("body") or "", obj.get("internal_body") or ""
    notify = obj.get("deliver_notifications")
    current = [link.component.public_id for link in incident.components]
    _change_reminders(incident, obj, actor=actor)
    if (
        (name and name != incident.title)
        or (start and start != incident.scheduled_for)
        or (end and end != incident.scheduled_until)
        or (ids is not None and set(ids) != set(current))
    ):
        maintenance.edit_maintenance(
            incident,
            UpdateDraft(notify=True if notify is None else notify),
            actor=actor,
            title=name or incident.title,
            scheduled_for=start or incident.scheduled_for,
            scheduled_until=end or incident.scheduled_until,
            components=current if ids is None else ids,
        )
        text = internal = ""  # the edit's notice carried the change
    moves = {
        "in_progress": maintenance.start_maintenance,
        "completed": maintenance.complete_maintenance,
    }
    if status in moves and incident.state != status:
        draft = UpdateDraft(
            external_body=text, internal_body=internal, notify=notify, notify_stakeholders=notify
        )
        moves[status](incident, draft, actor=actor)
    elif (status and status != incident.state) or text or internal:
        post_update(
            incident,
            UpdateDraft(
                external_body=text,
                internal_body=internal,
                notify=True if notify is None else notify,
            ),
            state=status or incident.state,
            actor=actor,
        )


def remove_incident(incident, *, actor) -> None:
    """DELETE: a window not finished is cancelled (its subscribers are told); an incident,
    or a closed window, stays: what subscribers were sent cannot be unsent."""
    if incident.kind == IncidentKind.maintenance and incident.is_open:
        maintenance.cancel_maintenance(incident, actor=actor)
        return
    abort(
        409,
        description="Crier keeps every incident and finished maintenance in the history; "
        "resolve an incident instead (or mark it non-public in the console).",
    )
