"""Reminders: the tick that reminds the Comms Lead when an update is due and escalates to the
Incident Commander, snoozes, the reminder messages, and the communication metrics.

Verbs others may call: ``tick.tick``, ``tick.snooze_incident``, ``metrics.comms_for``/
``monthly_report``. Imports ``incidents`` (its cadence) and ``core``; never publishing or fan-out.
"""
