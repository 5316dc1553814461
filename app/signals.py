"""Seams between services: who changed what, so publishing and fan-out can follow.

``update_posted`` is sent inside the service's transaction, before its commit: receivers add
outbox rows (dispatches) to the same session, so they commit or roll back with the update.
``update_committed`` and ``public_changed`` are sent after the commit: receivers enqueue work.
"""

from blinker import Namespace

_signals = Namespace()

update_posted = _signals.signal("update-posted")
update_committed = _signals.signal("update-committed")
public_changed = _signals.signal("public-changed")
