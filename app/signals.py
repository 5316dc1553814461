"""Seams between domains: who changed what, so publishing and fan-out can follow.

Sent *inside* a transaction by a domain verb; the owning domain's receiver writes its outbox
rows in the same session, so the change and the note to act on it commit or roll back
together (a crash after the commit loses nothing: the sweeps find the rows):

- ``public_changed``: kwargs say what changed, so publishing re-renders only that:
  incident=<public id>, components=[public ids whose status moved], everything=True
  (settings, renames). A send that says nothing re-publishes everything. Receiver:
  ``app.publishing.outbox``.
- ``update_posted`` (update=): the update's dispatches. Receiver: ``app.fanout.outbox``.
- ``component_status_changed`` (component=, old=, new=, at=): a status moved outside an
  update; its ``component_update`` webhooks. Receiver: ``app.fanout.outbox``.

Sent *after* the commit, queued with ``app.core.uow.after_commit``; their receivers
(``app.tasks``) only enqueue work:

- ``publish_requested``; ``dispatches_ready`` (ids=[dispatch ids]);
- ``confirmation_requested`` (subscriber_id, token: the link's secret, never stored);
  ``manage_link_requested`` (subscriber_id);
- ``viewer_link_requested`` (email, token: a viewer's sign-in link's secret, never stored);
- ``hook_challenge_requested`` (subscriber_id, token: a Slack link's secret, never stored, or
  None): a new webhook or Slack subscriber to challenge;
- ``hook_subscriber_disabled`` (subscriber_id): its deliveries kept failing; tell the admins;
- ``alert_notices_ready`` (notices=[{"subject", "body", "recipients"}]): emails to the
  on-duty lead about alerts.
"""

from blinker import Namespace

_signals = Namespace()

# In the transaction: outbox rows.
public_changed = _signals.signal("public-changed")
update_posted = _signals.signal("update-posted")
component_status_changed = _signals.signal("component-status-changed")

# After the commit: enqueue.
publish_requested = _signals.signal("publish-requested")
dispatches_ready = _signals.signal("dispatches-ready")
confirmation_requested = _signals.signal("confirmation-requested")
manage_link_requested = _signals.signal("manage-link-requested")
viewer_link_requested = _signals.signal("viewer-link-requested")
alert_notices_ready = _signals.signal("alert-notices-ready")
hook_challenge_requested = _signals.signal("hook-challenge-requested")
hook_subscriber_disabled = _signals.signal("hook-subscriber-disabled")
