"""Reading incidents for the admin. Declaring and updating come with the Comms Lead console."""

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CLOSED_STATES, Incident


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
