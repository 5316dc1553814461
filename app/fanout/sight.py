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
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import false, or_, true

from app.audiences.readers import floor_viewer, sight_of
from app.audiences.rule import Sight, Viewer, viewer_of, visible
from app.audiences.viewers import admitting_audiences
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    AudienceKind,
    Incident,
    PageAudience,
    StakeholderGroup,
    Subscriber,
    audience_components,
    audience_groups,
)


@dataclass(frozen=True)
class Seen:
    """Who sees an incident: everyone (it is on the public floor), or the audiences (ids)
    that see it beyond the floor (not worked out for an incident on the floor: all do)."""

    on_floor: bool
    audience_ids: frozenset[int] = frozenset()


def _sights() -> tuple[list[Sight], Viewer]:
    """Every audience as the rule needs it (ids only: no member is loaded), and the anonymous
    viewer as the audiences stand now; three queries."""
    components, groups = defaultdict(set), defaultdict(set)
    for audience_id, component_id in db.session.execute(db.select(audience_components)):
        components[audience_id].add(component_id)
    for audience_id, group_id in db.session.execute(db.select(audience_groups)):
        groups[audience_id].add(group_id)
    kinds = db.session.execute(db.select(PageAudience.id, PageAudience.kind))
    sights = [
        Sight(
            id=audience_id,
            internal=kind == AudienceKind.internal,
            component_ids=frozenset(components[audience_id]),
            group_ids=frozenset(groups[audience_id]),
        )
        for audience_id, kind in kinds
    ]
    floor = Viewer(
        claimed_components=frozenset().union(*components.values()),
        claimed_groups=frozenset().union(*groups.values()),
    )
    return sights, floor


def _as_member_of(floor: Viewer, sights) -> Viewer:
    return viewer_of(
        sights,
        claimed_components=floor.claimed_components,
        claimed_groups=floor.claimed_groups,
    )


def seen_by(incident: Incident) -> Seen:
    """Whether the floor sees ``incident``, else which audiences do (the rule, per one)."""
    sights, floor = _sights()
    if visible(floor, incident):
        return Seen(on_floor=True)
    ids = frozenset(s.id for s in sights if visible(_as_member_of(floor, [s]), incident))
    return Seen(on_floor=False, audience_ids=ids)


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
    return _as_member_of(floor, [sight_of(a) for a in admitting_audiences(subscriber.email)])


def group_sees(group: StakeholderGroup, incident: Incident, seen: Seen | None = None) -> bool:
    """A group tied to an audience hears of what that audience sees; any other, of all."""
    if group.audience_id is None:
        return True
    seen = seen or seen_by(incident)
    return seen.on_floor or group.audience_id in seen.audience_ids
