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
from dataclasses import dataclass

from sqlalchemy import false, or_, select, true

from app.audiences.readers import floor_viewer, list_audiences, sight_of
from app.audiences.rule import Viewer, viewer_of, visible
from app.audiences.viewers import admitting_audiences
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    Incident,
    PageAudience,
    StakeholderGroup,
    Subscriber,
)


@dataclass(frozen=True)
class Seen:
    """Who sees an incident: the floor (everyone) or not, and the audiences that do."""

    on_floor: bool
    audiences: tuple[PageAudience, ...] = ()

    @property
    def audience_ids(self) -> frozenset[int]:
        return frozenset(a.id for a in self.audiences)


def _as_member_of(floor: Viewer, audiences) -> Viewer:
    return viewer_of(
        (sight_of(a) for a in audiences),
        claimed_components=floor.claimed_components,
        claimed_groups=floor.claimed_groups,
    )


def seen_by(incident: Incident) -> Seen:
    """Whether the floor sees ``incident``, and which audiences see it (the rule, per one)."""
    floor = floor_viewer()
    audiences = tuple(a for a in list_audiences() if visible(_as_member_of(floor, [a]), incident))
    return Seen(on_floor=visible(floor, incident), audiences=audiences)


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
    if not seen.audiences:
        return false()
    # The listed addresses as a subquery: thousands of members make no bound-parameter list.
    emails = select(AudienceAdmission.value).where(
        AudienceAdmission.kind == AdmissionKind.email,
        AudienceAdmission.audience_id.in_(sorted(seen.audience_ids)),
    )
    listed = {d for a in seen.audiences for d in a.admitted(AdmissionKind.domain)}
    domains = sorted({form for d in listed for form in _domain_forms(d)})
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
    return _as_member_of(floor, admitting_audiences(subscriber.email))


def group_sees(group: StakeholderGroup, incident: Incident, seen: Seen | None = None) -> bool:
    """A group tied to an audience hears of what that audience sees; any other, of all."""
    if group.audience_id is None:
        return True
    seen = seen or seen_by(incident)
    return seen.on_floor or group.audience_id in seen.audience_ids
