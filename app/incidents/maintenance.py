"""Maintenance windows: schedule, edit, cancel, and the automatic start and completion."""

from dataclasses import replace
from datetime import datetime

from flask import current_app

from app.core import ServiceError
from app.core.audit import record
from app.core.settings import page_settings
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import AUTOMATIC, BLANK, UpdateDraft
from app.incidents.holds import settle_component
from app.incidents.lifecycle import clean_title, clean_user
from app.incidents.maintenance_notices import clean_reminders, remind_maintenance
from app.incidents.transitions import NOTICE, require_open_window
from app.incidents.updates import add_update, announce_update, transition
from app.models import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentComponent,
    IncidentKind,
    Severity,
    State,
    Update,
    User,
)
from app.sqltypes import utcnow
from app.timefmt import format_local


def maintenance_windows(*, limit: int = 100) -> list[Incident]:
    """Maintenance windows, the latest start first."""
    query = (
        db.select(Incident)
        .where(Incident.kind == IncidentKind.maintenance)
        .order_by(Incident.scheduled_for.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _clean_window(scheduled_for, scheduled_until, *, now) -> tuple[datetime, datetime]:
    if scheduled_for is None or scheduled_until is None:
        raise ServiceError("Give the window's start and end.", field="scheduled_for")
    if scheduled_for.tzinfo is None or scheduled_until.tzinfo is None:
        raise ServiceError("Give the window's times with a timezone.", field="scheduled_for")
    if scheduled_until <= scheduled_for:
        raise ServiceError("The window must end after it starts.", field="scheduled_until")
    if scheduled_until <= now:
        raise ServiceError("The window must end in the future.", field="scheduled_until")
    return scheduled_for, scheduled_until


def _clean_components(public_ids) -> list[Component]:
    components = []
    for public_id in public_ids or ():
        component = db.session.scalar(db.select(Component).filter_by(public_id=public_id))
        if component is None:
            raise ServiceError(f"There is no component {public_id!r}.", field="components")
        components.append(component)
    return components


def schedule_maintenance(
    draft: UpdateDraft = BLANK,
    *,
    title: str,
    scheduled_for: datetime,
    scheduled_until: datetime,
    actor: User,
    components=(),
    auto_notify: bool = False,
    auto_notify_end: bool | None = None,
    lead_id: int | None = None,
    remind_prior: bool = False,
    remind_minutes: str | None = None,
) -> Incident:
    """Schedule a maintenance window with ``draft`` as its first update (blank texts: the
    templates'). ``auto_notify``: the automatic start notifies; ``auto_notify_end``: the
    automatic completion does (None: as ``auto_notify``). With ``remind_prior``, reminded
    ``remind_minutes`` before its start (one or two lead times, "24h, 1h"; none: the page's)."""
    now = utcnow()
    title = clean_title(title)
    start, end = _clean_window(scheduled_for, scheduled_until, now=now)
    chosen = _clean_components(components)
    remind_prior, remind_minutes = clean_reminders(remind_prior, remind_minutes)
    lead = clean_user(lead_id, field="lead") if lead_id else actor
    incident = Incident(
        title=title,
        kind=IncidentKind.maintenance,
        severity=Severity.SEV5,
        impact=Impact.none,
        state=State.scheduled,
        started_at=start,
        scheduled_for=start,
        scheduled_until=end,
        auto_notify=auto_notify,
        auto_notify_end=auto_notify if auto_notify_end is None else auto_notify_end,
        lead=lead,
        remind_prior=remind_prior,
        remind_minutes=remind_minutes,
    )
    incident.components = [
        IncidentComponent(component=c, status=ComponentStatus.under_maintenance) for c in chosen
    ]
    db.session.add(incident)
    update = transition(incident, State.scheduled, draft, by="schedule", actor=actor, at=now)
    record("maintenance.schedule", actor=actor, obj=incident, incident=incident)
    announce_update(update)
    return incident


def edit_maintenance(
    incident: Incident,
    draft: UpdateDraft = BLANK,
    *,
    actor: User,
    title: str,
    scheduled_for: datetime,
    scheduled_until: datetime,
    components=(),
) -> Update:
    """Change a window that has not finished, posting ``draft`` as the notice of the change
    (blank texts: what changed, in words)."""
    require_open_window(incident)
    now = utcnow()
    title = clean_title(title)
    start, end = _clean_window(scheduled_for, scheduled_until, now=now)
    chosen = _clean_components(components)
    checked = draft.check(now=now)
    changes = _describe_changes(incident, title, start, end, chosen, public=False)
    if not changes:
        raise ServiceError("Nothing changed.", field="title")
    if not checked.external_body and not checked.internal_body:
        # The public text names public components only; a change to hidden components alone
        # is told to stakeholders (the internal text), not to the page.
        public = _describe_changes(incident, title, start, end, chosen, public=True)
        if public:
            notice = "We have changed this maintenance: " + "; ".join(public) + "."
            checked = replace(checked, external_body=notice)
        else:
            notice = "We have changed this maintenance: " + "; ".join(changes) + "."
            checked = replace(checked, internal_body=notice)
    incident.title, incident.scheduled_for, incident.scheduled_until = title, start, end
    incident.calendar_sequence += 1  # calendar apps replace the event they hold
    if incident.state == State.scheduled:
        incident.started_at = start
    keep = {c.id for c in chosen}
    dropped = [
        link.component.public_id for link in incident.components if link.component_id not in keep
    ]
    for link in list(incident.components):
        if link.component_id not in keep:
            if incident.state != State.scheduled:
                settle_component(
                    link.component, ComponentStatus.operational, at=now, besides=incident
                )
            incident.components.remove(link)
    have = {link.component_id for link in incident.components}
    for component in chosen:
        if component.id not in have:
            incident.components.append(
                IncidentComponent(component=component, status=ComponentStatus.under_maintenance)
            )
            if incident.state != State.scheduled:
                settle_component(
                    component, ComponentStatus.under_maintenance, at=now, besides=incident
                )
    update = add_update(incident, checked, state=incident.state, move=NOTICE, actor=actor, at=now)
    record(
        "maintenance.edit",
        actor=actor,
        obj=incident,
        incident=incident,
        detail={"changes": changes},
    )
    return announce_update(update, components=dropped)


def _describe_changes(incident, title, start, end, chosen, *, public: bool) -> list[str]:
    """What changed, in words; with ``public``, as the page may say it (public components)."""
    tz = page_settings().timezone
    changes = []
    if title != incident.title:
        changes.append(f"renamed to “{title}”")
    if start != incident.scheduled_for or end != incident.scheduled_until:
        changes.append(f"the window is now {format_local(start, tz)} to {format_local(end, tz)}")
    chosen = [c for c in chosen if c.is_public or not public]
    before = [link.component for link in incident.components]
    if {c.id for c in chosen} != {c.id for c in before if c.is_public or not public}:
        names = ", ".join(c.name for c in chosen) or "no components"
        changes.append(f"it affects {names}")
    return changes


def _move_window(incident, state, draft, *, by, actor) -> Update:
    update = transition(incident, state, draft, by=by, actor=actor)
    record(
        f"maintenance.{state}",
        actor=actor,
        obj=incident,
        incident=incident,
        detail={"automatic": actor is None},
    )
    return announce_update(update)


def start_maintenance(
    incident: Incident, draft: UpdateDraft = AUTOMATIC, *, actor: User | None = None
) -> Update:
    """Begin a scheduled window: in progress, components under maintenance. The automatic
    start notifies only if the lead ticked it when scheduling."""
    return _move_window(incident, State.in_progress, draft, by="start", actor=actor)


def complete_maintenance(
    incident: Incident, draft: UpdateDraft = AUTOMATIC, *, actor: User | None = None
) -> Update:
    """Finish a window: completed, components operational again."""
    return _move_window(incident, State.completed, draft, by="complete", actor=actor)


def cancel_maintenance(incident: Incident, draft: UpdateDraft = BLANK, *, actor: User) -> Update:
    """Call off a window that has not finished; components back to operational if started."""
    update = transition(incident, State.cancelled, draft, by="cancel", actor=actor)
    incident.calendar_sequence += 1  # the calendar's cancellation supersedes the event
    record("maintenance.cancel", actor=actor, obj=incident, incident=incident)
    return announce_update(update)


def advance_maintenance(*, now: datetime | None = None) -> list[Update]:
    """The worker tick: send the reminders that are due, start windows whose start has come,
    complete those whose end has. Each is its own unit of work, so one failure does not hold
    back the others."""
    now = now or utcnow()
    moved = remind_maintenance(now=now)
    due_start = db.select(Incident).where(
        Incident.kind == IncidentKind.maintenance,
        Incident.state == State.scheduled,
        Incident.scheduled_for <= now,
    )
    for incident in list(db.session.scalars(due_start)):
        moved += _safely(start_maintenance, incident)
    due_end = db.select(Incident).where(
        Incident.kind == IncidentKind.maintenance,
        Incident.state.in_([State.in_progress.value, State.verifying.value]),
        Incident.scheduled_until <= now,
    )
    for incident in list(db.session.scalars(due_end)):
        moved += _safely(complete_maintenance, incident)
    return moved


def _safely(move, incident) -> list[Update]:
    try:
        with unit_of_work():
            return [move(incident)]
    except Exception:
        # One broken window must not stop the others; the next tick tries it again.
        current_app.logger.exception("maintenance tick could not move %s", incident.public_id)
        return []
