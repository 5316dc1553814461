"""Incidents: reading them for the admin, declaring, resolving and the postmortem."""

import re

from sqlalchemy.orm import selectinload

from app.core import ServiceError
from app.core.audit import record
from app.core.text import clean_line
from app.extensions import db
from app.ids import parse_id
from app.incidents.cadence import CADENCE_LIMITS, clean_cadence
from app.incidents.drafts import UpdateDraft
from app.incidents.moments import note_action, note_declared
from app.incidents.transitions import find, opening_states
from app.incidents.updates import announce_update, default_next_update, transition
from app.models import (
    CLOSED_STATES,
    ComponentStatus,
    Impact,
    Incident,
    IncidentKind,
    Role,
    Severity,
    State,
    Update,
    User,
)
from app.signals import public_changed
from app.sqltypes import new_public_id, utcnow

# The public impact a component status implies (Statuspage's mapping).
IMPACT_BY_STATUS = {
    ComponentStatus.major_outage: Impact.critical,
    ComponentStatus.partial_outage: Impact.major,
    ComponentStatus.degraded_performance: Impact.minor,
}
_IMPACT_ORDER = list(Impact)
PUBLIC_ID = re.compile(r"[0-9a-z]{12}")
KEEP = object()  # an edit that leaves a field as it is


def open_incidents() -> list[Incident]:
    """Every open incident and maintenance, the most severe and oldest first."""
    query = (
        db.select(Incident)
        .where(Incident.state.not_in([s.value for s in CLOSED_STATES]))
        .options(selectinload(Incident.lead), selectinload(Incident.commander))
        .options(selectinload(Incident.updates))
        .order_by(Incident.kind, Incident.severity, Incident.started_at)
    )
    return list(db.session.scalars(query))


def recent_incidents(*, limit: int = 20) -> list[Incident]:
    """The latest closed incidents and maintenance, newest first."""
    query = (
        db.select(Incident)
        .where(Incident.state.in_([s.value for s in CLOSED_STATES]))
        .order_by(Incident.started_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_incident(public_id: str) -> Incident | None:
    """The incident or maintenance with this public id."""
    return db.session.scalar(db.select(Incident).filter_by(public_id=public_id))


def impact_for(statuses) -> Impact:
    """The public impact implied by the worst of ``statuses``."""
    impacts = [IMPACT_BY_STATUS.get(ComponentStatus(s), Impact.none) for s in statuses]
    return max(impacts, key=_IMPACT_ORDER.index, default=Impact.none)


_PEOPLE = {"lead": "Comms Lead", "commander": "Incident Commander"}


def clean_user(user_id, *, field: str, min_role: Role = Role.lead) -> User | None:
    """The active user with this id holding ``min_role`` or stronger, None for blank, or a
    ServiceError naming the field: the form only offers such people, a crafted POST may not."""
    if user_id in (None, "", 0):
        return None
    user_pk = parse_id(user_id)
    user = db.session.get(User, user_pk) if user_pk is not None else None
    if user is None or not user.active or not user.can(min_role):
        who = _PEOPLE.get(field, field.replace("_", " "))
        raise ServiceError(
            f"The {who} must be an active user with the {min_role.value} role or a stronger one; "
            "choose someone from the list.",
            field=field,
        )
    return user


def clean_title(title: str | None) -> str:
    """A title of 1 to 200 characters."""
    title = " ".join(clean_line(title).split())
    if not title:
        raise ServiceError("Give the incident a title.", field="title")
    if len(title) > 200:
        raise ServiceError("Keep the title under 200 characters.", field="title")
    return title


def free_public_id(wanted: str | None) -> str:
    """``wanted`` if it is a well-formed public id no incident holds yet, else a new one."""
    if wanted and PUBLIC_ID.fullmatch(wanted) and get_incident(wanted) is None:
        return wanted
    return new_public_id()


def declare_incident(
    draft: UpdateDraft,
    *,
    title: str,
    actor: User,
    severity: Severity | str = Severity.SEV3,
    state: State | str | None = None,
    impact: Impact | str | None = None,
    lead_id: int | None = None,
    commander_id: int | None = None,
    cadence_minutes: int | None = None,
    is_public: bool = True,
    public_id: str | None = None,
) -> Incident:
    """Open an incident with ``draft`` as its first update, in ``state`` (None: the first the
    state table opens an incident in, investigating). ``cadence_minutes`` overrides
    the policy's cadence; a non-public incident never reaches the page or subscribers.
    ``public_id``: the id the console allocated when it first rendered the texts (so they
    could name the public page), used if still free."""
    now = utcnow()
    title = clean_title(title)
    if state is None:
        state = opening_states(IncidentKind.incident)[0]
    if severity not in [s.value for s in Severity]:
        raise ServiceError("Choose a severity from SEV1 to SEV5.", field="severity")
    opening = find(IncidentKind.incident, None, state)
    if opening is None:
        raise ServiceError("Start as investigating, identified or monitoring.", field="state")
    if impact not in (None, "") and impact not in [i.value for i in Impact]:
        raise ServiceError("Choose an impact: none, minor, major or critical.", field="impact")
    lead = clean_user(lead_id, field="lead") if lead_id else actor
    commander = clean_user(commander_id, field="commander")
    checked = draft.check(now=now, empty=opening.blank)  # the impact follows its components
    low, high = CADENCE_LIMITS
    if cadence_minutes is not None and not low <= cadence_minutes <= high:
        raise ServiceError(f"A cadence is {low} to {high} minutes.", field="cadence_minutes")
    incident = Incident(
        public_id=free_public_id(public_id),
        title=title,
        kind=IncidentKind.incident,
        severity=Severity(severity),
        impact=Impact(impact) if impact else impact_for(s for _, s in checked.components),
        state=State(state),
        started_at=now,
        lead=lead,
        commander=commander,
        cadence_minutes=cadence_minutes,
        is_public=is_public,
    )
    db.session.add(incident)
    note_declared(incident, [c.id for c, _ in checked.components], at=now)
    update = transition(incident, state, checked, by="declare", actor=actor, at=now)
    record(
        "incident.declare", actor=actor, obj=incident, incident=incident, detail={"title": title}
    )
    announce_update(update)
    return incident


def resolve_incident(
    incident: Incident, draft: UpdateDraft, *, actor: User, restore_components: bool = True
) -> Update:
    """Close an incident with ``draft`` as its final update; components back to operational
    unless ``restore_components`` is False."""
    update = transition(
        incident,
        State.resolved,
        draft,
        by="resolve",
        actor=actor,
        restore_components=restore_components,
    )
    record("incident.resolve", actor=actor, obj=incident, incident=incident)
    return announce_update(update)


def post_postmortem(incident: Incident, draft: UpdateDraft, *, actor: User) -> Update:
    """Add a postmortem update (usually a link) to a resolved incident."""
    update = transition(incident, State.postmortem, draft, by="postmortem", actor=actor)
    record("incident.postmortem", actor=actor, obj=update, incident=incident)
    return announce_update(update)


def edit_incident(
    incident: Incident,
    *,
    actor: User,
    title: str,
    severity: Severity | str,
    impact: Impact | str,
    lead_id: int | None = None,
    commander_id: int | None = None,
    cadence_minutes: int | object | None = KEEP,
) -> Incident:
    """Change an open incident's title, severity, impact, people or cadence override (None:
    the policy's; ``KEEP``: as it is). A higher severity or a shorter cadence can bring the
    next update forward, never push it back."""
    if incident.kind != IncidentKind.incident or not incident.is_open:
        raise ServiceError("Only an open incident can be edited; post a new update instead.")
    title = clean_title(title)
    if severity not in [s.value for s in Severity]:
        raise ServiceError("Choose a severity from SEV1 to SEV5.", field="severity")
    if impact not in [i.value for i in Impact]:
        raise ServiceError("Choose an impact: none, minor, major or critical.", field="impact")
    lead = clean_user(lead_id, field="lead") if lead_id else incident.lead
    commander = clean_user(commander_id, field="commander")
    cadence = (
        incident.cadence_minutes if cadence_minutes is KEEP else clean_cadence(cadence_minutes)
    )
    before = {
        "cadence_minutes": incident.cadence_minutes,
        "title": incident.title,
        "severity": incident.severity.value,
        "impact": incident.impact.value,
        "lead": incident.lead.name if incident.lead else None,
        "commander": incident.commander.name if incident.commander else None,
    }
    incident.title, incident.severity, incident.impact = title, Severity(severity), Impact(impact)
    incident.lead, incident.commander = lead, commander
    incident.cadence_minutes = cadence
    last = incident.updates[-1] if incident.updates else None
    if last is not None:
        sooner = default_next_update(incident, incident.state, last.posted_at)
        due = incident.next_update_due_at
        if sooner is not None and (due is None or sooner < due):
            incident.next_update_due_at = sooner
    after = {
        "cadence_minutes": cadence,
        "title": title,
        "severity": incident.severity.value,
        "impact": incident.impact.value,
        "lead": lead.name if lead else None,
        "commander": commander.name if commander else None,
    }
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changed:
        raise ServiceError("Nothing changed.", field="title")
    record("incident.edit", actor=actor, obj=incident, incident=incident, detail=changed)
    note_action(incident, actor, at=utcnow())
    public_changed.send(None, incident=incident.public_id)
    db.session.flush()
    return incident
