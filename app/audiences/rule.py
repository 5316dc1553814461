"""The one rule of who may see what: components, incidents and the texts of their updates.

The public floor is everyone's: a public component, and a public incident, unless every
component it affects is hidden and at least one of those is an audience's (then it is that
audience's incident, not the floor's). An audience sees the hidden components it names, and
those of the groups it names. An incident reaches an audience that sees one of its affected
components, that the lead added by hand, or, for an internal audience, that affects no
component at all (it is about the whole service). An internal-only incident (``is_public``
false) reaches internal audiences only; internal text is read by internal audiences only.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from app.models import Component, Incident, Update


@dataclass(frozen=True)
class Sight:
    """What one audience sees beyond the floor (ids, as loaded; never a model)."""

    id: int
    internal: bool = False
    component_ids: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()

    def sees_component(self, component: Component) -> bool:
        if component.is_public:
            return True
        if component.id is not None and component.id in self.component_ids:
            return True
        return component.group_id is not None and component.group_id in self.group_ids


@dataclass(frozen=True)
class Viewer:
    """A viewer: the audiences they belong to (none: an anonymous visitor), and the hidden
    components and groups any audience names (what the floor leaves to the audiences)."""

    audiences: tuple[Sight, ...] = ()
    claimed_components: frozenset[int] = frozenset()
    claimed_groups: frozenset[int] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return not self.audiences


@dataclass(frozen=True)
class UpdateText:
    """One of an update's two texts: the external one, or the internal one."""

    update: Update
    internal: bool = False

    @property
    def body(self) -> str:
        text = self.update.internal_body if self.internal else self.update.external_body
        return text or ""


# An anonymous visitor while no audience names a hidden component; the publisher loads the
# floor as it is now (``readers.floor_viewer``).
PUBLIC = Viewer()


def visible(viewer: Viewer, thing: Component | Incident | UpdateText) -> bool:
    """Whether ``viewer`` may see ``thing``: a component, an incident or an update's text."""
    if not isinstance(viewer, Viewer):
        raise TypeError(f"a Viewer is needed, not {type(viewer).__name__}")
    if isinstance(thing, Component):
        return thing.is_public or any(a.sees_component(thing) for a in viewer.audiences)
    if isinstance(thing, Incident):
        return _sees(viewer, thing, None)
    if isinstance(thing, UpdateText):
        return _reads(viewer, thing)
    raise TypeError(f"visibility of a {type(thing).__name__} is not decided here")


def _affected(incident: Incident) -> list[Component]:
    return [ic.component for ic in incident.components if ic.component is not None]


def _claimed(viewer: Viewer, component: Component) -> bool:
    if component.id is not None and component.id in viewer.claimed_components:
        return True
    return component.group_id is not None and component.group_id in viewer.claimed_groups


def _on_floor(viewer: Viewer, incident: Incident) -> bool:
    if not incident.is_public:
        return False
    if not (viewer.claimed_components or viewer.claimed_groups):
        return True  # no audience names anything: the components need not even be loaded
    affected = _affected(incident)
    if any(c.is_public for c in affected):
        return True
    return not any(_claimed(viewer, c) for c in affected)


def _added(incident: Incident) -> Iterable[int]:
    # Loaded only when an audience asks: the floor never reads the hand-added audiences.
    return {a.id for a in getattr(incident, "added_audiences", ())}


def _reaches(sight: Sight, incident: Incident, added: Iterable[int] | None = None) -> bool:
    if not (incident.is_public or sight.internal):
        return False  # internal-only: internal audiences alone
    affected = _affected(incident)
    if any(sight.sees_component(c) for c in affected):
        return True
    if sight.internal and not affected:
        return True
    return sight.id in (_added(incident) if added is None else added)


def _sees(viewer: Viewer, incident: Incident, added: Iterable[int] | None) -> bool:
    return _on_floor(viewer, incident) or any(
        _reaches(a, incident, added) for a in viewer.audiences
    )


def sees_draft(viewer: Viewer, draft: Incident, added_ids: Iterable[int] = ()) -> bool:
    """``visible(viewer, draft)`` for an incident a form is about to store or change: an
    unsaved ``Incident`` with its components, and the ids of the audiences added by hand (an
    unsaved incident cannot hold them)."""
    if not isinstance(viewer, Viewer) or not isinstance(draft, Incident):
        raise TypeError("a Viewer and an Incident are needed")
    return _sees(viewer, draft, frozenset(added_ids))


def _reads(viewer: Viewer, text: UpdateText) -> bool:
    if not text.body.strip():
        return False
    incident = text.update.incident
    if incident is None or not visible(viewer, incident):
        return False
    if not text.internal:
        return True
    return any(a.internal and _reaches(a, incident) for a in viewer.audiences)


def viewer_of(
    sights: Iterable[Sight],
    *,
    claimed_components: Iterable[int] = (),
    claimed_groups: Iterable[int] = (),
) -> Viewer:
    """A viewer of these audiences (duplicates dropped, in id order)."""
    unique = {s.id: s for s in sights if isinstance(s, Sight)}
    return Viewer(
        audiences=tuple(unique[k] for k in sorted(unique)),
        claimed_components=frozenset(claimed_components),
        claimed_groups=frozenset(claimed_groups),
    )
