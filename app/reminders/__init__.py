"""Reminders: the tick that reminds the Comms Lead when an update is due and escalates to the
Incident Commander, snoozes, the reminder messages, the communication metrics, the reports
and their monthly email.

Verbs others may call: ``tick.tick``, ``tick.snooze_incident``, ``metrics.comms_for``/
``monthly_report``, ``monthly.monthly_tick``/``choose_monthly_group``. Imports ``incidents``
(its cadence), ``core`` and ``email``; never publishing or fan-out.
"""
