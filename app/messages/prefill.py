"""Prefilled texts: an incident's facts rendered through the templates for one state."""

from flask import current_app

from app.core.settings import page_settings
from app.extensions import db
from app.messages.sandbox import render_text
from app.models import (
    Audience,
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentKind,
    MessageTemplate,
    State,
)
from app.sqltypes import utcnow
from app.timefmt import format_duration, format_local

# States whose text is written as the incident or window closes: resolved_at has a value.
CLOSING_STATES = frozenset({State.resolved, State.postmortem, State.completed, State.cancelled})


def incident_url(incident: Incident) -> str:
    """The incident's public page."""
    base = page_settings().public_url or current_app.config["PUBLIC_BASE_URL"]
    return f"{base.rstrip('/')}/incidents/{incident.public_id}"


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names) or "our services"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def component_names(incident: Incident, components, audience: Audience | str) -> list[str]:
    """The affected components' names one audience may read: the external text (the public
    page, feeds, subscribers) names public components only; the internal text names all.

    ``components`` (names chosen in a form) defaults to the incident's components.
    """
    if components is None:
        components = [ic.component for ic in incident.components]
    names = [c if isinstance(c, str) else c.name for c in components]
    if Audience(audience) == Audience.internal:
        return names
    hidden = {c.name for c in components if not isinstance(c, str) and not c.is_public}
    public = set(db.session.scalars(db.select(Component.name).filter_by(is_public=True)))
    return [name for name in names if name in public and name not in hidden]


def also_affected(incident: Incident, components, audience: Audience | str) -> list[str]:
    """The names of the components outside this incident that are not operational now (another
    incident, maintenance, a status set by hand), as one audience may read them: what a text
    must not call "working normally". ``components`` as for ``component_names``."""
    if components is None:
        components = [ic.component for ic in incident.components]
    ids = {c.id for c in components if not isinstance(c, str)}
    names = {c for c in components if isinstance(c, str)}
    query = db.select(Component).where(Component.status != ComponentStatus.operational)
    if Audience(audience) == Audience.external:
        query = query.filter_by(is_public=True)
    others = db.session.scalars(query.order_by(Component.position, Component.id))
    return [c.name for c in others if c.id not in ids and c.name not in names]


def template_context(
    incident: Incident,
    *,
    state: State | str,
    next_update_at=None,
    components=None,
    audience: Audience | str = Audience.external,
) -> dict:
    """The documented variables for ``incident`` about to enter ``state``, as ``audience``
    may read them."""
    tz = page_settings().timezone
    names = component_names(incident, components, audience)
    others = also_affected(incident, components, audience)
    closing = State(state) in CLOSING_STATES
    now = utcnow()
    started = incident.started_at or now
    # A closing text (resolve, complete, cancel) rendered before the close says "now".
    resolved = incident.resolved_at or (now if closing else None)
    return {
        "page_name": page_settings().page_name,
        "incident_title": incident.title or "",
        "severity": str(incident.severity or ""),
        "impact": str(incident.impact or Impact.none),
        "state": State(state).value.replace("_", " "),
        "affected_components": join_names(names),
        "also_affected": join_names(others) if others else "",
        "started_at": format_local(started, tz),
        "resolved_at": format_local(resolved, tz),
        "duration": format_duration(((resolved or now) - started).total_seconds()),
        "next_update_at": format_local(next_update_at, tz) if next_update_at else "the next hour",
        "scheduled_for": format_local(incident.scheduled_for, tz),
        "scheduled_until": format_local(incident.scheduled_until, tz),
        "lead_name": incident.lead.name if incident.lead else "unassigned",
        "commander_name": incident.commander.name if incident.commander else "unassigned",
        "incident_url": incident_url(incident) if incident.public_id else "",
    }


def find_template(kind, state, audience) -> MessageTemplate | None:
    """The template for (kind, state, audience): the one named Default, else the first."""
    return db.session.scalar(
        db.select(MessageTemplate)
        .filter_by(kind=IncidentKind(kind), state=State(state), audience=Audience(audience))
        .order_by((MessageTemplate.name != "Default"), MessageTemplate.id)
        .limit(1)
    )


def prefill(incident: Incident, *, state, next_update_at=None, components=None) -> dict:
    """Rendered texts for ``state``: {"external": (subject, body), "internal": (...)}."""
    out = {}
    for audience in Audience:
        context = template_context(
            incident,
            state=state,
            next_update_at=next_update_at,
            components=components,
            audience=audience,
        )
        found = find_template(incident.kind or IncidentKind.incident, state, audience)
        if found is None:
            out[audience.value] = ("", "")
        else:
            out[audience.value] = (
                render_text(found.subject, context),
                render_text(found.body, context),
            )
    return out
