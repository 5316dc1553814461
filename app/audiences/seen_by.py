"""Who sees an incident: the public floor, or which audiences, by the one rule (``rule``).

``who_sees`` is the one answer the fan-out selects recipients by and the console shows before
anything is posted ("Will see it: everyone (the public page), Enterprise EU (3 members), …"),
for a stored incident or a form's unsaved draft.
"""

from collections import defaultdict
from dataclasses import dataclass

from app.audiences.readers import list_audiences
from app.audiences.rule import Sight, Viewer, sees_draft, viewer_of, visible
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceKind,
    Component,
    Incident,
    IncidentComponent,
    PageAudience,
    audience_components,
    audience_groups,
)

SHOWN = 12  # audiences named on a form; the rest are counted


@dataclass(frozen=True)
class Seen:
    """Who sees an incident: everyone (it is on the public floor: every audience too), or the
    audiences (ids) that see it beyond the floor."""

    on_floor: bool
    audience_ids: frozenset[int] = frozenset()


def audience_sights() -> tuple[dict[str, Sight], Viewer]:
    """Every audience as the rule needs it, by public id (ids only: no member is loaded), and
    the anonymous viewer as the audiences stand now; three queries."""
    components, groups = defaultdict(set), defaultdict(set)
    for audience_id, component_id in db.session.execute(db.select(audience_components)):
        components[audience_id].add(component_id)
    for audience_id, group_id in db.session.execute(db.select(audience_groups)):
        groups[audience_id].add(group_id)
    rows = db.session.execute(db.select(PageAudience.id, PageAudience.public_id, PageAudience.kind))
    sights = {
        public_id: Sight(
            id=audience_id,
            internal=kind == AudienceKind.internal,
            component_ids=frozenset(components[audience_id]),
            group_ids=frozenset(groups[audience_id]),
        )
        for audience_id, public_id, kind in rows
    }
    floor = Viewer(
        claimed_components=frozenset().union(*components.values()),
        claimed_groups=frozenset().union(*groups.values()),
    )
    return sights, floor


def _sights() -> tuple[list[Sight], Viewer]:
    sights, floor = audience_sights()
    return list(sights.values()), floor


def who_sees(incident: Incident, added_ids=None) -> Seen:
    """Whether the floor sees ``incident``, else which audiences do (the rule, per audience).
    ``added_ids``: the audiences added by hand, for an unsaved draft (``draft``)."""
    sights, floor = _sights()

    def sees(viewer: Viewer) -> bool:
        if added_ids is None:
            return visible(viewer, incident)
        return sees_draft(viewer, incident, added_ids)

    if sees(floor):
        return Seen(on_floor=True)
    ids = frozenset(
        s.id
        for s in sights
        if sees(
            viewer_of(
                [s],
                claimed_components=floor.claimed_components,
                claimed_groups=floor.claimed_groups,
            )
        )
    )
    return Seen(on_floor=False, audience_ids=ids)


@dataclass(frozen=True)
class Seer:
    name: str
    detail: str  # who is in it, in a few words
    internal: bool = False
    public_id: str = ""


@dataclass(frozen=True)
class SeenBy:
    """What a form or an incident page says: the public page, and the audiences by name."""

    public: bool
    audiences: list[Seer]
    more: int = 0  # audiences that see it beyond those named

    @property
    def nobody_outside(self) -> bool:
        return not self.public and not self.audiences


def _detail(audience: PageAudience) -> str:
    kinds = [a.kind for a in audience.admissions]
    parts = []
    members = kinds.count(AdmissionKind.email)
    if members:
        parts.append(f"{members} member{'s' if members != 1 else ''}")
    domains = [a.value for a in audience.admissions if a.kind == AdmissionKind.domain]
    parts += [f"@{d}" for d in domains[:2]]
    if len(domains) > 2:
        parts.append(f"{len(domains) - 2} more domains")
    if AdmissionKind.claim in kinds:
        parts.append("sign-in claim")
    if AdmissionKind.network in kinds:
        parts.append("IP ranges")
    return ", ".join(parts) or "nobody admitted yet"


def draft(*, is_public: bool, components: list[Component]) -> Incident:
    """An unsaved incident with these components, for the rule (never added to the session)."""
    incident = Incident(is_public=is_public)
    incident.components = [IncidentComponent(component=c) for c in components]
    return incident


def seen_by_form(*, incident: Incident | None, component_ids, is_public: bool) -> SeenBy:
    """Who a form's update will be seen by: the incident's components (if it has been declared)
    and those the form adds (database ids), its hand-added audiences, public or internal-only."""
    ids = set(component_ids)
    added = ()
    if incident is not None:
        ids |= {link.component_id for link in incident.components}
        added = [a.id for a in incident.added_audiences]
        is_public = incident.is_public
    components = list(db.session.scalars(db.select(Component).where(Component.id.in_(ids))))
    seen = who_sees(draft(is_public=is_public, components=components), added)
    seers = [
        Seer(a.name, _detail(a), a.is_internal, a.public_id)
        for a in list_audiences()
        if seen.on_floor or a.id in seen.audience_ids
    ]
    return SeenBy(public=seen.on_floor, audiences=seers[:SHOWN], more=max(0, len(seers) - SHOWN))
