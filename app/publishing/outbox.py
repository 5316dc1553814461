"""Publishing's outbox, its one door: what changed is written as ``PublishDirty`` rows in the
changing transaction, and a publish is asked for once that transaction commits.

Domains below publishing reach it through ``app.signals.public_changed``, sent inside their
transaction; an incident whose start moves is noted here too, whoever moves it.
"""

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import object_session

from app.core.uow import after_commit
from app.extensions import db
from app.models import Incident, PublishDirty, State
from app.models.published import COMPONENTS, EVERYTHING, INCIDENT, MOVED
from app.signals import public_changed, publish_requested


def record_change(*, incident=None, components=(), everything=False) -> None:
    """Add what changed to the session as outbox rows and ask for a publish after the commit.

    ``incident``: its public id; ``components``: public ids whose status moved; a change that
    says neither, or ``everything``, re-publishes the whole site.
    """
    rows = [PublishDirty(kind=INCIDENT, key=incident)] if incident else []
    rows += [PublishDirty(kind=COMPONENTS, key=public_id) for public_id in components]
    if everything or not rows:
        rows = [PublishDirty(kind=EVERYTHING)]
    db.session.add_all(rows)
    after_commit(publish_requested)


@public_changed.connect
def _record(sender, *, incident=None, components=(), everything=False, **extra) -> None:
    record_change(incident=incident, components=components, everything=everything)


@event.listens_for(Incident.started_at, "set", active_history=True)
def _start_moved(incident, value, old, initiator) -> None:
    """An incident that has begun moves its start: the month it leaves must be re-published
    too (the change's own row names only where it is now). Whoever moves it, in the same
    transaction as the move."""
    if not isinstance(old, datetime) or old == value or incident.state == State.scheduled:
        return
    session = object_session(incident)
    if session is not None and incident.public_id:
        session.add(PublishDirty(kind=MOVED, key=f"{incident.public_id} {old.isoformat()}"))
