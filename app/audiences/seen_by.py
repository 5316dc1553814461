"""Who will see an incident, said before it is posted: the public page and each audience, by
the one rule (``rule``), for the console's declare and update forms."""

from dataclasses import dataclass

from app.audiences.readers import floor_viewer, list_audiences, sight_of
from app.audiences.rule import sees_draft, viewer_of
from app.extensions import db
from app.models import AdmissionKind, Component, Incident, IncidentComponent, PageAudience

SHOWN = 12  # audiences named on the form; the rest are counted


@dataclass(frozen=True)
class Seer:
    name: str
    detail: str  # who is in it, in a few words
    internal: bool = False


@dataclass(frozen=True)
class SeenBy:
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


def seen_by(incident: Incident, added_ids=()) -> SeenBy:
    """Who sees ``incident`` (stored, or a ``draft``): the public page, and each audience."""
    floor = floor_viewer()
    components, groups = floor.claimed_components, floor.claimed_groups
    public = sees_draft(floor, incident, added_ids)
    seers = []
    for audience in list_audiences():
        viewer = viewer_of(
            [sight_of(audience)], claimed_components=components, claimed_groups=groups
        )
        if sees_draft(viewer, incident, added_ids):
            seers.append(Seer(audience.name, _detail(audience), audience.is_internal))
    return SeenBy(public=public, audiences=seers[:SHOWN], more=max(0, len(seers) - SHOWN))


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
    return seen_by(draft(is_public=is_public, components=components), added)
