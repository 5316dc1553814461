"""What the Comms Lead's dashboard shows for each open incident and maintenance, most urgent
first: overdue, then by the time the next update is due, then the rest, then maintenance."""

from dataclasses import dataclass, field
from datetime import datetime

from app.extensions import db
from app.incidents.lifecycle import open_incidents
from app.models import Dispatch, Incident, IncidentKind, Update

# A countdown below this many seconds shows amber: the lead has a few minutes left to write.
DUE_SOON_SECONDS = 5 * 60


@dataclass
class DashboardRow:
    incident: Incident
    last_update: Update | None
    # Seconds until the next update is due; negative when it is overdue; None without cadence.
    due_in: float | None
    dispatches: list[Dispatch] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.due_in is not None and self.due_in < 0

    @property
    def due_soon(self) -> bool:
        return self.due_in is not None and 0 <= self.due_in < DUE_SOON_SECONDS


def urgency(row: DashboardRow) -> tuple:
    """Sort key: overdue (longest overdue first), due (soonest first), no due time, maintenance."""
    incident = row.incident
    if row.overdue:
        band = 0
    elif incident.kind == IncidentKind.maintenance:
        band = 3
    else:
        band = 1 if row.due_in is not None else 2
    due = row.due_in if row.due_in is not None else float("inf")
    return (band, due, incident.severity.level, incident.started_at, incident.id)


def dashboard_rows(now: datetime) -> list[DashboardRow]:
    """Open incidents, most urgent first, with their last update, countdown and its delivery."""
    rows = []
    for incident in open_incidents():
        last = incident.updates[-1] if incident.updates else None
        due = incident.next_update_due_at
        rows.append(DashboardRow(incident, last, (due - now).total_seconds() if due else None))
    rows.sort(key=urgency)
    last_ids = [row.last_update.id for row in rows if row.last_update]
    if last_ids:
        dispatches = db.session.scalars(
            db.select(Dispatch).where(Dispatch.update_id.in_(last_ids)).order_by(Dispatch.id)
        )
        by_update: dict[int, list[Dispatch]] = {}
        for dispatch in dispatches:
            by_update.setdefault(dispatch.update_id, []).append(dispatch)
        for row in rows:
            if row.last_update:
                row.dispatches = by_update.get(row.last_update.id, [])
    return rows
