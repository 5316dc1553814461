"""Fan-out's outbox, its one door: a notification's ``Dispatch`` rows are written in the
transaction that makes the update (or moves the component), and their runs are enqueued once
that transaction commits (``dispatches_ready``; the sweep catches what a crash left).

Domains below fan-out reach it through ``app.signals.update_posted`` and
``component_status_changed``, sent inside their transaction.
"""

from datetime import datetime

from app.core.uow import after_commit
from app.extensions import db
from app.fanout import channels
from app.fanout.dispatch import audiences_for, dispatches_for_update
from app.models import (
    Audience,
    Channel,
    Component,
    ComponentChange,
    ComponentStatus,
    Dispatch,
    Update,
)
from app.signals import component_status_changed, dispatches_ready, update_posted


def record_update(update: Update) -> list[Dispatch]:
    """Add the update's Dispatch rows to the session, one per audience and channel that has
    someone to reach, and enqueue them after the commit."""
    db.session.flush()  # column defaults (notify) and ids are only there after a flush
    existing = {(d.audience, d.channel) for d in dispatches_for_update(update)}
    made = []
    for audience in audiences_for(update):
        for channel in Channel:
            if (audience, channel) in existing:
                continue
            if channel != Channel.email and not channels.targets(update, audience, channel):
                continue  # no webhook or Slack recipient: no row
            dispatch = Dispatch(update=update, audience=audience, channel=channel)
            db.session.add(dispatch)
            made.append(dispatch)
    _ready(made)
    return made


def record_component_change(
    component: Component, old: ComponentStatus, new: ComponentStatus, *, at: datetime
) -> ComponentChange | None:
    """Add a public component's status change and its webhook Dispatch to the session, and
    enqueue it after the commit. Nothing when no webhook subscriber wants the component."""
    if not component.is_public or component.id is None:
        return None
    if db.session.scalar(channels.component_hook_subscribers(component).limit(1)) is None:
        return None
    change = ComponentChange(component=component, old_status=old, new_status=new, at=at)
    dispatch = Dispatch(
        component_change=change, audience=Audience.external, channel=Channel.webhook
    )
    db.session.add_all([change, dispatch])
    _ready([dispatch])
    return change


def _ready(dispatches: list[Dispatch]) -> None:
    if dispatches:
        db.session.flush()  # their ids, for the queue
        after_commit(dispatches_ready, ids=tuple(d.id for d in dispatches))


@update_posted.connect
def _record_update(sender, *, update, **extra) -> None:
    record_update(update)


@component_status_changed.connect
def _record_component_change(sender, *, component, old, new, at, **extra) -> None:
    record_component_change(component, old, new, at=at)
