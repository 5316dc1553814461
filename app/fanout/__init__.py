"""Fan-out: updates by email to subscribers and stakeholder groups through the Dispatch outbox,
webhooks and Slack (with ``component_update`` webhooks for a component's status changed outside
an update), double opt-in subscriptions, one-click unsubscribe, CSV import/export, delivery
events.

Verbs others may call: ``dispatch.run_dispatch``/``sweep_dispatches``/``retry_dispatch``,
``subscribers.subscribe``/``confirm_subscription``/``unsubscribe``, ``subscriber_csv.*``,
``stakeholders.*``, ``delivery_events.record_events``. Its outbox has one door,
``outbox.record_update``/``record_component_change``, reached through ``update_posted`` and
``component_status_changed`` inside the changing transaction. Work after a commit (a run, a
confirmation email) is asked for with ``after_commit``; fan-out never imports ``tasks``.
Imports ``core`` and ``app.email``.
"""
