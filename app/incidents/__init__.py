"""Incidents and maintenance: declare, post updates, resolve, components and their status,
the state table (``transitions``: which state may follow which, and what each move does),
the update cadence (when the next update is due), the facts an update's texts are rendered
from (``facts``), the timeline and the console's dashboard.

Verbs others may call: ``lifecycle.declare_incident``/``resolve_incident``/``edit_incident``/
``post_postmortem``, ``updates.post_update``, ``maintenance.*`` (schedule, start, complete,
``advance_maintenance``), ``maintenance_notices.*`` (a window's reminders before its start
and its list of notices), ``calendar.*`` (a window as an iCalendar event), ``components.*``,
``cadence.cadence_minutes``. The verbs that post an update take it as one
``drafts.UpdateDraft`` (beside what is not part of an update: a title, a severity, people,
the actor), which the console and /api/v1 build. Verbs flush, never
commit: the caller's unit of work (``app.core.uow``) commits. A change is announced inside its
transaction with ``app.signals`` (``update_posted``, ``public_changed``,
``component_status_changed``), whose receivers write publishing's and fan-out's outbox rows in
that same transaction. Imports ``messages`` and ``core``.
"""
