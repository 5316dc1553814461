"""Which subscribers and stakeholder groups may hear of an incident: those who may see it.

The audiences' one rule (``rule.visible``) decides, asked once per dispatch for the public
floor and for each audience; the subscribers are then selected in SQL by who the audiences
that see it admit. A public subscriber (and every webhook and Slack subscriber) is an
anonymous viewer: the floor only. A subscriber made from a viewer's page belongs to the
audiences that admit its address or its domain as they stand at that dispatch, as its viewer
would on the page. ``viewer_of_subscriber`` is the same answer one subscriber at a time:
``tests/audiences/test_notify_rule.py`` holds the two equal.
"""

import contextlib

from sqlalchemy import false, or_, true

from app.audiences.readers import floor_viewer, sight_of
from app.audiences.rule import Viewer, viewer_of
from app.audiences.seen_by import Seen, who_sees
from app.audiences.viewers import admitting_audiences
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    Incident,
    StakeholderGroup,
    Subscriber,
)

__all__ = ["Seen", "group_sees", "hook_clause", "seen_by", "subscriber_clause"]


def seen_by(incident: Incident) -> Seen:
    """Whether the floor sees ``incident``, else which audiences do (the one rule's answer)."""
    return who_sees(incident)


def _domain_forms(domain: str) -> set[str]:
    """An admitted domain as stored (IDNA) and as an address may hold it (Unicode)."""
    forms = {domain}
    with contextlib.suppress(UnicodeError):
        forms.add(domain.encode("ascii").decode("idna"))
    return forms


def subscriber_clause(seen: Seen):
    """The subscribers (SQL) who may see an incident ``seen`` so."""
    if seen.on_floor:
        return true()  # every viewer sees the floor, the anonymous ones too
    if not seen.audience_ids:
        return false()
    ids = sorted(seen.audience_ids)
    # The listed addresses as a subquery: thousands of members make no bound-parameter list.
    emails = db.select(AudienceAdmission.value).where(
        AudienceAdmission.kind == AdmissionKind.email, AudienceAdmission.audience_id.in_(ids)
    )
    listed = db.session.scalars(
        db.select(AudienceAdmission.value).where(
            AudienceAdmission.kind == AdmissionKind.domain, AudienceAdmission.audience_id.in_(ids)
        )
    )
    domains = sorted({form for d in set(listed) for form in _domain_forms(d)})
    admitted = or_(
        Subscriber.email.in_(emails), *(Subscriber.email.like(f"%@{d}") for d in domains)
    )
    return Subscriber.viewer_at.is_not(None) & admitted


def hook_clause(seen: Seen):
    """Webhook and Slack subscribers are anonymous: the floor only."""
    return true() if seen.on_floor else false()


def viewer_of_subscriber(subscriber: Subscriber) -> Viewer:
    """The viewer a subscriber is, as the rule sees them now."""
    floor = floor_viewer()
    if subscriber.viewer_at is None:
        return floor
    return viewer_of(
        [sight_of(a) for a in admitting_audiences(subscriber.email)],
        claimed_components=floor.claimed_components,
        claimed_groups=floor.claimed_groups,
    )


def group_sees(group: StakeholderGroup, incident: Incident, seen: Seen | None = None) -> bool:
    """A group tied to an audience hears of what that audience sees; any other, of all."""
    if group.audience_id is None:
        return True
    seen = seen or seen_by(incident)
    return seen.on_floor or group.audience_id in seen.audience_ids
