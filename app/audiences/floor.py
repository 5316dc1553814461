"""The public floor as SQL clauses: the rule's answer for an anonymous visitor, for the
publisher's queries (``tests/audiences/test_floor.py`` holds them to ``rule.visible``)."""

from sqlalchemy import and_, exists, or_, select

from app.models import (
    Component,
    Incident,
    IncidentComponent,
    audience_components,
    audience_groups,
)


def floor_components():
    """Components every visitor sees."""
    return Component.is_public.is_(True)


def floor_incidents():
    """Incidents every visitor sees: public ones, unless each component they affect is hidden
    and one of those is an audience's."""
    affected = select(IncidentComponent.id).join(
        Component, Component.id == IncidentComponent.component_id
    )
    mine = IncidentComponent.incident_id == Incident.id
    claimed = or_(
        Component.id.in_(select(audience_components.c.component_id)),
        Component.group_id.in_(select(audience_groups.c.group_id)),
    )
    return and_(
        Incident.is_public.is_(True),
        or_(  # the first alone decides while no audience names a component
            ~exists(affected.where(mine, claimed)),
            exists(affected.where(mine, Component.is_public.is_(True))),
        ),
    )
