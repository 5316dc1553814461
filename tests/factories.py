"""Keyword-only builders for test data; each commits what it makes."""

from datetime import timedelta

from app.extensions import db
from app.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    Incident,
    IncidentComponent,
    Role,
    Update,
    User,
)
from app.sqltypes import utcnow

PASSWORD = "correct horse battery staple"


def create_user(*, email="lead@example.com", name="Lena Lead", role=Role.lead, password=PASSWORD):
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def create_component(
    *,
    slug="api",
    name="API",
    group=None,
    status=ComponentStatus.operational,
    is_public=True,
    position=0,
):
    if isinstance(group, str):
        group = db.session.scalar(db.select(ComponentGroup).filter_by(name=group)) or (
            ComponentGroup(name=group)
        )
    component = Component(
        slug=slug, name=name, group=group, status=status, is_public=is_public, position=position
    )
    db.session.add(component)
    db.session.commit()
    return component


def create_incident(
    *,
    title="Elevated API errors",
    components=(),
    state="investigating",
    updates=(),
    started_minutes_ago=30,
    **fields,
):
    started = utcnow() - timedelta(minutes=started_minutes_ago)
    incident = Incident(title=title, state=state, started_at=started, **fields)
    db.session.add(incident)
    for component in components:
        db.session.add(
            IncidentComponent(
                incident=incident, component=component, status=ComponentStatus.partial_outage
            )
        )
    for i, (external, internal) in enumerate(updates):
        db.session.add(
            Update(
                incident=incident,
                state=state,
                external_body=external,
                internal_body=internal,
                posted_at=started + timedelta(minutes=i),
            )
        )
    db.session.commit()
    return incident


def create_subscriber(
    *,
    email="reader@example.com",
    components=(),
    confirmed=True,
    unsubscribed=False,
    suppressed=None,
):
    """A subscriber; confirmed unless told otherwise."""
    import secrets

    from app.models import Subscriber

    now = utcnow()
    sub = Subscriber(
        email=email,
        token_hash=secrets.token_hex(16),
        confirmed_at=now if confirmed else None,
        unsubscribed_at=now if unsubscribed else None,
        suppressed_at=now if suppressed else None,
        suppressed_reason=suppressed,
        components=list(components),
    )
    db.session.add(sub)
    db.session.commit()
    return sub


def post_update(incident, *, external="We are investigating.", internal="", **fields):
    """An update posted as the Comms Lead service will: ``update_posted`` (its dispatches)
    inside one unit of work, which enqueues them after its commit."""
    from app.core.uow import unit_of_work
    from app.signals import update_posted

    with unit_of_work():
        update = Update(
            incident=incident,
            state=fields.pop("state", incident.state),
            external_body=external,
            internal_body=internal,
            **fields,
        )
        db.session.add(update)
        update_posted.send(None, update=update)
    return update


def split_draft(options: dict):
    """(an UpdateDraft of the draft's fields in ``options``, the other options): for tests that
    keep all of a verb's inputs in one dict."""
    from dataclasses import fields

    from app.incidents.drafts import UpdateDraft

    names = {f.name for f in fields(UpdateDraft)}
    draft = UpdateDraft(**{k: v for k, v in options.items() if k in names})
    return draft, {k: v for k, v in options.items() if k not in names}


def create_subscribers(count, *, domain="example.net"):
    """Many confirmed subscribers to everything, inserted in one statement."""
    import secrets

    from app.models import Subscriber

    now = utcnow()
    rows = [
        {
            "email": f"user{i:06d}@{domain}",
            "token_hash": secrets.token_hex(16),
            "confirmed_at": now,
            "created_at": now,
        }
        for i in range(count)
    ]
    db.session.execute(db.insert(Subscriber), rows)
    db.session.commit()


def create_settings(*, page_name="Acme Status", timezone="UTC", **fields):
    from app.models import Setting

    settings = Setting(page_name=page_name, timezone=timezone, **fields)
    db.session.add(settings)
    db.session.commit()
    return settings


def record_change(*, incident=None, components=(), everything=False):
    """Publishing's outbox rows, committed with nothing enqueued after them (as a crash or a
    queue outage leaves them): a publish or the sweep takes them."""
    from app.models import PublishDirty

    rows = [PublishDirty(kind="incident", key=incident)] if incident else []
    rows += [PublishDirty(kind="components", key=public_id) for public_id in components]
    db.session.add_all(rows if rows and not everything else [PublishDirty(kind="everything")])
    db.session.commit()


def write_dispatches(update):
    """The update's Dispatch rows, committed with no task enqueued after them (as a crash
    right after the commit leaves them): a worker's sweep or a direct run takes them."""
    from app.fanout.outbox import record_update
    from app.signals import dispatches_ready

    with dispatches_ready.muted():
        made = record_update(update)
        db.session.commit()
    return made
