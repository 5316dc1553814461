"""Fan-out: updates by email to subscribers and stakeholder groups through the Dispatch outbox,
webhooks and Slack (with ``component_update`` webhooks for a component's status changed outside
an update), double opt-in subscriptions, one-click unsubscribe, CSV import/export, delivery
events.

Verbs others may call: ``dispatch.create_dispatches``/``run_dispatch``/``sweep_dispatches``,
``subscribers.subscribe``/``confirm_subscription``/``unsubscribe``, ``subscriber_csv.*``,
``stakeholders.*``, ``delivery_events.record_events``. Work after a commit (a confirmation email)
is asked for with a signal; fan-out never imports ``tasks``. Imports ``core`` and ``app.email``.
"""
