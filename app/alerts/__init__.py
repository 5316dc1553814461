"""Alerts in from Prometheus Alertmanager: each alert's state (by fingerprint), what it does to
its component (suggest an incident, or act on its own), and the notices to the Comms Lead.

Verbs others may call: ``payload.parse_notification`` (a webhook body into alerts),
``receive.receive_alerts`` (one notification, one transaction), ``suggestions.firing_suggestions``
(what the dashboard offers to declare), ``rules.on_duty`` (who is told, and who leads an
incident nobody was named for), ``notices.send_notice`` (one lead notice, for the queue:
``receive_alerts`` queues ``alert_notices_ready`` for after its commit, never imports ``tasks``).
"""
