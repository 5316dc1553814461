"""An incident's moments: impact started, detected, engaged, mitigated, resolved.

Crier takes them as it sees them (docs/reports.md states the rules):

- **declared** (``started_at``): detection and impact start default to it;
- a firing **alert** on one of the incident's components, from Alertmanager, that started
  before the declaration and no other incident took: its ``startsAt`` is the impact start and
  the detection (the alert opened the incident, or suggested it to the lead);
- **engaged**: the first update posted, or the first edit of the incident, by the person who
  is its Comms Lead or Incident Commander at that moment (a lead who declares is engaged at
  the declaration; an incident an alert opened is engaged when its lead first acts);
- **mitigated**: the first move to *monitoring*; an incident resolved without one is
  mitigated at its resolution;
- **resolved** (``resolved_at``).

The lead corrects any of them (``correct_moments``), audited, in the order
impact ≤ detected ≤ engaged ≤ mitigated ≤ resolved, detection no later than the declaration.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from app.core import ServiceError
from app.core.audit import record
from app.extensions import db
from app.models import AlertMode, AlertState, AlertStatus, Component, Incident, IncidentKind, User
from app.signals import public_changed
from app.sqltypes import utcnow

# (column, label) in the order the moments must keep.
MOMENTS = (
    ("impact_started_at", "Impact started"),
    ("detected_at", "Detected"),
    ("engaged_at", "Engaged"),
    ("mitigated_at", "Mitigated"),
    ("resolved_at", "Resolved"),
)
LABELS = dict(MOMENTS)
# A correction may be this far in the future (clocks differ a little), no further.
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class Moment:
    name: str
    label: str
    at: datetime | None


def moments_of(incident: Incident) -> list[Moment]:
    """The incident's five moments in order (None: not yet, or not known)."""
    return [Moment(name, label, getattr(incident, name)) for name, label in MOMENTS]


def alert_start(incident: Incident, component_ids, *, before: datetime) -> datetime | None:
    """The earliest ``startsAt`` of a firing alert on one of ``component_ids`` (in a mode
    that reports to Crier) that no other incident took, if it is before ``before``."""
    ids = [cid for cid in component_ids if cid is not None]
    if not ids:
        return None
    free = AlertState.incident_public_id.is_(None) | (
        AlertState.incident_public_id == incident.public_id
    )
    first = db.session.scalar(
        db.select(db.func.min(AlertState.starts_at))
        .join(Component, AlertState.component_id == Component.id)
        .where(AlertState.component_id.in_(ids), AlertState.status == AlertStatus.firing)
        .where(Component.alert_mode.in_([AlertMode.suggest.value, AlertMode.automatic.value]))
        .where(free)
    )
    if first is None:
        return None
    if first.tzinfo is None:  # a bare aggregate comes back without the column's type
        first = first.replace(tzinfo=UTC)
    return first if first < before else None


def note_declared(incident: Incident, component_ids, *, at: datetime) -> None:
    """Detection and impact start of a new incident: an alert's start, else the declaration."""
    if incident.kind != IncidentKind.incident:
        return
    start = alert_start(incident, component_ids, before=at) or at
    incident.impact_started_at = incident.detected_at = start


def note_action(incident: Incident, actor: User | None, *, at: datetime) -> None:
    """The incident is engaged at the first thing its lead or commander does on it."""
    if incident.kind != IncidentKind.incident or incident.engaged_at is not None:
        return
    if actor is None or actor.id is None:
        return
    if actor.id in (incident.lead_id, incident.commander_id) or actor in (
        incident.lead,
        incident.commander,
    ):
        incident.engaged_at = at


def note_moved(incident: Incident, *, watches: bool, closes: bool, at: datetime) -> None:
    """Mitigated at the first monitoring, or at the resolution if it never was."""
    if incident.kind != IncidentKind.incident or incident.mitigated_at is not None:
        return
    if watches or closes:
        incident.mitigated_at = at


def _shown(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def correct_moments(incident: Incident, *, actor: User, values: dict) -> dict:
    """Set the moments in ``values`` ({name: aware datetime or None}), audited; refuse
    (ServiceError on the field) an order that does not hold. Returns what changed."""
    if incident.kind != IncidentKind.incident:
        raise ServiceError("Only an incident has these moments; a maintenance has its window.")
    now = utcnow()
    wanted = {name: getattr(incident, name) for name, _ in MOMENTS}
    for name, value in values.items():
        if name not in LABELS:
            raise ServiceError("There is no such moment.")
        wanted[name] = value
    for name in ("impact_started_at", "detected_at"):
        if wanted[name] is None:
            raise ServiceError(f"Give the time: {LABELS[name].lower()}.", field=name)
    if incident.resolved_at is None and wanted["resolved_at"] is not None:
        raise ServiceError(
            "The incident is not resolved: resolve it with a final update.", field="resolved_at"
        )
    if incident.resolved_at is not None and wanted["resolved_at"] is None:
        raise ServiceError("A resolved incident keeps its resolution time.", field="resolved_at")
    for name, value in wanted.items():
        if value is not None and value > now + CLOCK_SLACK:
            raise ServiceError(f"{LABELS[name]} cannot be in the future.", field=name)
    if wanted["detected_at"] > incident.started_at:
        raise ServiceError(
            "Detection cannot come after the declaration "
            f"({_shown(incident.started_at)}): declaring is detecting.",
            field="detected_at",
        )
    known = [(name, wanted[name]) for name, _ in MOMENTS if wanted[name] is not None]
    for (before, early), (after, late) in pairwise(known):
        if late < early:
            raise ServiceError(
                f"{LABELS[after]} ({_shown(late)}) cannot be before "
                f"{LABELS[before].lower()} ({_shown(early)}).",
                field=after,
            )
    changed = {
        name: [_shown(getattr(incident, name)), _shown(value)]
        for name, value in wanted.items()
        if getattr(incident, name) != value
    }
    if not changed:
        raise ServiceError("Nothing changed.")
    for name in changed:
        setattr(incident, name, wanted[name])
    record("incident.moments", actor=actor, obj=incident, incident=incident, detail=changed)
    if "resolved_at" in changed:  # the public page shows when it was resolved
        public_changed.send(None, incident=incident.public_id)
    db.session.flush()
    return changed
