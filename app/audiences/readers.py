"""Audiences as the console lists them, and viewers as the rule needs them."""

import re

from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

from app.audiences.rule import Sight, Viewer, viewer_of, visible
from app.extensions import db
from app.models import (
    Component,
    Incident,
    IncidentComponent,
    PageAudience,
    audience_components,
    audience_groups,
)

PUBLIC_ID = re.compile(r"[a-z0-9]{12}")  # as ``public_id_column`` makes them
MAX_AUDIENCES = 1000  # the console's list is bounded like every read


def list_audiences(limit: int = MAX_AUDIENCES) -> list[PageAudience]:
    """Audiences by name, with their components, groups and admissions loaded."""
    query = (
        db.select(PageAudience)
        .options(
            selectinload(PageAudience.components),
            selectinload(PageAudience.groups),
            selectinload(PageAudience.admissions),
        )
        .order_by(PageAudience.name)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_audience(public_id: str) -> PageAudience | None:
    """The audience with this public id, or None (ids of any length are simply not found)."""
    if not isinstance(public_id, str) or not PUBLIC_ID.fullmatch(public_id):
        return None  # a NUL byte or any odd character is a DataError on PostgreSQL
    return db.session.scalar(db.select(PageAudience).filter_by(public_id=public_id))


def sight_of(audience: PageAudience) -> Sight:
    """What the rule needs of an audience: ids only."""
    return Sight(
        id=audience.id,
        internal=audience.is_internal,
        component_ids=frozenset(c.id for c in audience.components),
        group_ids=frozenset(g.id for g in audience.groups),
    )


def _claimed() -> tuple[frozenset[int], frozenset[int]]:
    """The components and the groups some audience names (one query)."""
    named = union(
        select(audience_components.c.component_id.label("id"), db.literal(0).label("group")),
        select(audience_groups.c.group_id.label("id"), db.literal(1).label("group")),
    )
    components, groups = set(), set()
    for row_id, is_group in db.session.execute(select(named.subquery())):
        (groups if is_group else components).add(row_id)
    return frozenset(components), frozenset(groups)


def floor_viewer() -> Viewer:
    """An anonymous visitor, as the audiences stand now."""
    components, groups = _claimed()
    return Viewer(claimed_components=components, claimed_groups=groups)


def viewer_for(audiences: list[PageAudience]) -> Viewer:
    """A viewer belonging to these audiences, as the audiences stand now."""
    components, groups = _claimed()
    return viewer_of(
        (sight_of(a) for a in audiences), claimed_components=components, claimed_groups=groups
    )


def incidents_made_public_by_deleting(audience: PageAudience, limit: int = 50) -> list:
    """Public incidents only this audience keeps off the public page: deleting it puts them
    back there, as incidents on hidden components nobody names are shown today."""
    now = floor_viewer()
    others = [a for a in list_audiences() if a.id != audience.id]
    components, groups = set(), set()
    for other in others:
        components |= {c.id for c in other.components}
        groups |= {g.id for g in other.groups}
    after = Viewer(claimed_components=frozenset(components), claimed_groups=frozenset(groups))
    mine = (
        db.select(IncidentComponent.incident_id)
        .join(Component)
        .where(
            Component.id.in_([c.id for c in audience.components])
            | Component.group_id.in_([g.id for g in audience.groups])
        )
    )
    query = (
        db.select(Incident)
        .where(Incident.is_public.is_(True), Incident.id.in_(mine))
        .order_by(Incident.started_at.desc())
        .limit(limit)
    )
    return [i for i in db.session.scalars(query) if visible(after, i) and not visible(now, i)]
