"""The calendar event a maintenance email carries: when it is scheduled, changed or cancelled,
subscribers and stakeholders get the window as an ``.ics`` attachment (``METHOD:PUBLISH``) that
their calendar app adds, moves or marks cancelled in place (the same UID, a higher SEQUENCE).
"""

from app.core.settings import page_settings
from app.email import Attachment
from app.incidents.calendar import one_window_calendar, public_base_url
from app.models import IncidentKind, State, Update

INVITE_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"


def carries_event(update: Update) -> bool:
    """Whether ``update`` announces the window itself: its scheduling, its cancellation, or a
    change (a later notice in the state it is in: an edit); not its start or completion."""
    incident = update.incident
    if incident.kind != IncidentKind.maintenance or incident.scheduled_for is None:
        return False
    if update.state in (State.scheduled, State.cancelled):
        return True
    if update.state == State.completed:
        return False
    return any(u.state == update.state and u.id < update.id for u in incident.updates)


def calendar_attachments(update: Update) -> list[Attachment]:
    """The window as an ``.ics`` attachment for ``update``'s email, or nothing."""
    if not carries_event(update):
        return []
    body = one_window_calendar(
        update.incident,
        base_url=public_base_url(),
        page_name=page_settings().page_name,
    )
    return [Attachment("maintenance.ics", INVITE_TYPE, body)]
