"""Incidents and maintenance: declare, post updates, resolve, components and their status,
the update cadence (when the next update is due), the timeline and the console's dashboard.

Verbs others may call: ``lifecycle.declare_incident``/``resolve_incident``/``edit_incident``/
``post_postmortem``, ``updates.post_update``, ``maintenance.*`` (schedule, start, complete,
``advance_maintenance``), ``components.*``, ``cadence.cadence_minutes``. A committed change is
announced with ``app.signals`` (``update_posted``, ``update_committed``, ``public_changed``);
publishing and fan-out follow from there. Imports ``messages`` and ``core``.
"""
