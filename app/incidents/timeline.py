"""The incident timeline as Markdown, ready to paste into a postmortem."""

from app.core.settings import page_settings
from app.extensions import db
from app.incidents.moments import moments_of
from app.models import AuditEvent, ComponentStatusChange, Incident, IncidentKind, Reminder
from app.timefmt import format_duration, format_local

_FMT = "%Y-%m-%d %H:%M:%S"


def _when(at, tz) -> str:
    utc = format_local(at, "UTC", _FMT)
    return utc if tz == "UTC" else f"{utc} ({format_local(at, tz, _FMT)})"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def timeline_markdown(incident: Incident) -> str:
    """Every update (both texts), component change and reminder, oldest first."""
    tz = page_settings().timezone
    entries = []
    for update in incident.updates:
        who = update.posted_by.name if update.posted_by else "Crier (automatic)"
        lines = [f"**{update.state.replace('_', ' ').capitalize()}** update by {who}"]
        if update.external_body:
            lines += ["", "External:", "", _quote(update.external_body)]
        if update.internal_body:
            lines += ["", "Internal:", "", _quote(update.internal_body)]
        entries.append((update.posted_at, 0, "\n".join(lines)))
    for change in _component_changes(incident):
        text = f"Component **{change.component.name}** → {change.status.replace('_', ' ')}"
        entries.append((change.at, 1, text))
    for reminder in db.session.scalars(db.select(Reminder).filter_by(incident_id=incident.id)):
        sent = "sent" if reminder.sent_at else "pending"
        at = reminder.sent_at or reminder.created_at
        entries.append(
            (
                at,
                2,
                f"Reminder ({reminder.level}, {sent}) for the update due "
                f"{_when(reminder.due_at, tz)}",
            )
        )
    for event in db.session.scalars(db.select(AuditEvent).filter_by(incident_id=incident.id)):
        if event.action in _SAID_BY_UPDATES:
            continue
        actor = event.actor.name if event.actor else "Crier"
        detail = ", ".join(_describe(k, v) for k, v in (event.detail or {}).items())
        entries.append(
            (event.at, 3, f"{event.action} by {actor}" + (f" ({detail})" if detail else ""))
        )
    head = [
        f"# {incident.title}",
        "",
        f"- Kind: {incident.kind} · Severity: {incident.severity} · Impact: {incident.impact}",
        f"- State: {incident.state.replace('_', ' ')}",
        f"- Started: {_when(incident.started_at, tz)}",
    ]
    if incident.resolved_at:
        head.append(f"- Ended: {_when(incident.resolved_at, tz)}")
        seconds = (incident.resolved_at - incident.started_at).total_seconds()
        head.append(f"- Duration: {format_duration(seconds)}")
    head.append(f"- Comms Lead: {incident.lead.name if incident.lead else 'unassigned'}")
    head.append(f"- Commander: {incident.commander.name if incident.commander else 'unassigned'}")
    if incident.kind == IncidentKind.incident:
        head += ["", "## Moments", ""]
        head += [
            f"- {m.label}: {_when(m.at, tz) if m.at else 'not yet'}" for m in moments_of(incident)
        ]
    head += ["", "## Timeline", ""]
    body = [f"### {_when(at, tz)}\n\n{text}\n" for at, _, text in sorted(entries, key=_key)]
    return "\n".join(head) + "\n" + "\n".join(body)


# Audit actions that an update in the timeline already tells.
_SAID_BY_UPDATES = frozenset(
    {
        "update.post",
        "incident.declare",
        "incident.resolve",
        "incident.postmortem",
        "maintenance.schedule",
        "maintenance.in_progress",
        "maintenance.completed",
        "maintenance.cancel",
    }
)


def _component_changes(incident: Incident) -> list[ComponentStatusChange]:
    """Changes made by the incident's updates, and changes to its components while it ran."""
    update_ids = [u.id for u in incident.updates]
    component_ids = [link.component_id for link in incident.components]
    start, end = incident.started_at, incident.resolved_at
    during = ComponentStatusChange.component_id.in_(component_ids) & (
        ComponentStatusChange.at >= start
    )
    if end is not None:
        during &= ComponentStatusChange.at <= end
    query = db.select(ComponentStatusChange).where(
        ComponentStatusChange.update_id.in_(update_ids) | during
    )
    return list(db.session.scalars(query.order_by(ComponentStatusChange.at)))


def _describe(key, value) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{key} {value[0]} → {value[1]}"
    return f"{key}: {value}"


def _key(entry):
    return entry[0], entry[1]
