"""Who a notification reaches, as one rule the dispatches walk and the console counts before
anything is sent: subscribers (email, webhook, Slack) who follow one of the components or
everything, and the stakeholder groups whose minimum severity the incident meets."""

import re
from dataclasses import dataclass, field

from sqlalchemy import func, or_

from app.extensions import db
from app.fanout.sight import Seen, group_sees, hook_clause, seen_by, subscriber_clause
from app.fanout.stakeholders import groups_reached
from app.models import Channel, Component, HookSubscriber, Incident, Severity, Subscriber


def email_subscribers(component_ids):
    """A select of the active email subscribers who follow one of ``component_ids`` (database
    ids) or everything, in id order."""
    wants = ~Subscriber.components.any()
    if component_ids:
        wants = or_(wants, Subscriber.components.any(Component.id.in_(list(component_ids))))
    return (
        db.select(Subscriber)
        .where(
            Subscriber.confirmed_at.is_not(None),
            Subscriber.unsubscribed_at.is_(None),
            Subscriber.suppressed_at.is_(None),
            wants,
        )
        .order_by(Subscriber.id)
    )


def hook_subscribers(component_ids, kind: Channel):
    """A select of the ids of the active webhook or Slack subscribers (``kind``) who follow one
    of ``component_ids`` (database ids) or everything."""
    wants = ~HookSubscriber.components.any()
    if component_ids:
        wants = or_(wants, HookSubscriber.components.any(Component.id.in_(list(component_ids))))
    return db.select(HookSubscriber.id).where(
        HookSubscriber.kind == kind,
        HookSubscriber.confirmed_at.is_not(None),
        HookSubscriber.unsubscribed_at.is_(None),
        HookSubscriber.disabled_at.is_(None),
        wants,
    )


@dataclass(frozen=True)
class Reach:
    """Who a notification of this severity on these components would reach now."""

    severity: Severity
    subscribers: dict[str, int] = field(default_factory=dict)  # channel -> how many
    groups: list[tuple[str, int]] = field(default_factory=list)  # (group, members) it reaches
    members: int = 0  # distinct addresses over those groups
    slack_groups: int = 0  # of those groups, the ones with a Slack channel

    @property
    def subscriber_total(self) -> int:
        return sum(self.subscribers.values())


def _count(query) -> int:
    return db.session.scalar(db.select(func.count()).select_from(query.subquery())) or 0


def reach(*, severity: Severity | str, component_ids=(), seen: Seen | None = None) -> Reach:
    """Who a notification of ``severity`` on ``component_ids`` (database ids) reaches; only
    those who may see it when ``seen`` says who sees the incident (``sight.seen_by``)."""
    severity = Severity(severity)
    ids = sorted(set(component_ids))
    emails = email_subscribers(ids).with_only_columns(Subscriber.id)
    if seen is not None:
        emails = emails.where(subscriber_clause(seen))
    subscribers = {Channel.email.value: _count(emails)}
    for kind in (Channel.webhook, Channel.slack):
        hooks = hook_subscribers(ids, kind)
        if seen is not None:
            hooks = hooks.where(hook_clause(seen))
        subscribers[kind.value] = _count(hooks)
    groups = groups_reached(severity)
    if seen is not None:
        groups = [g for g in groups if group_sees(g, None, seen)]
    members = {email.lower() for g in groups for email in g.emails}
    return Reach(
        severity=severity,
        subscribers=subscribers,
        groups=[(g.name, len(g.emails)) for g in groups],
        members=len(members),
        slack_groups=sum(1 for g in groups if g.slack_webhook_url),
    )


def incident_reach(incident: Incident, *, extra_public_ids=(), severity=None) -> Reach:
    """Who an update on ``incident`` reaches: its components and the ones an update would add
    (``extra_public_ids``), at its severity (or ``severity``, as a form is about to set), among
    those who may see the incident as it stands."""
    ids = {link.component_id for link in incident.components}
    return reach(
        severity=severity or incident.severity,
        component_ids=ids | component_ids_of(extra_public_ids),
        seen=seen_by(incident) if incident.id is not None else None,
    )


_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def component_ids_of(public_ids) -> set[int]:
    """The database ids of the components with these public ids (unknown ones are skipped)."""
    # Typed by a form: only what a public id can be (a NUL byte is a DataError on PostgreSQL).
    public_ids = [p for p in public_ids or () if isinstance(p, str) and _PUBLIC_ID.fullmatch(p)]
    public_ids = public_ids[:500]
    if not public_ids:
        return set()
    return set(
        db.session.scalars(db.select(Component.id).where(Component.public_id.in_(public_ids)))
    )
