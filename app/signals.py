"""Seams between services: who changed what, so publishing and fan-out can follow.

``update_posted`` is sent inside the service's transaction, before its commit: receivers add
outbox rows (dispatches) to the same session, so they commit or roll back with the update.
``update_committed``, ``public_changed`` and the subscription signals are sent after the commit:
receivers (in ``app.tasks``) enqueue work, so a domain never imports the queue.
"""

from blinker import Namespace

_signals = Namespace()

update_posted = _signals.signal("update-posted")
update_committed = _signals.signal("update-committed")
# kwargs say what changed, so publishing re-renders only that: incident=<public id>,
# components=[public ids whose status moved], everything=True (settings, renames). A send
# that says nothing re-publishes everything (in the background, in batches).
public_changed = _signals.signal("public-changed")
# kwargs: subscriber_id, token (the link's secret, never stored) / subscriber_id
confirmation_requested = _signals.signal("confirmation-requested")
manage_link_requested = _signals.signal("manage-link-requested")
# kwargs: notices=[{"subject", "body", "recipients"}]: emails to the on-duty lead about alerts
alert_notices_ready = _signals.signal("alert-notices-ready")
