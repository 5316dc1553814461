"""Prefilled texts: an incident's facts rendered through the templates for one state. A line
whose variable has no value (no due time, no postmortem link, nothing else affected) is left
out, so a text never goes out with an empty "Next update by ." or a dead link."""

import re

from flask import current_app

from app.core.settings import page_settings
from app.extensions import db
from app.messages.defaults import DEFAULT_TEMPLATES
from app.messages.sandbox import render_text
from app.models import (
    Audience,
    Component,
    ComponentStatus,
    ComponentStatusChange,
    Impact,
    Incident,
    IncidentKind,
    MessageTemplate,
    State,
    Update,
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


def still_affected(incident: Incident, components, statuses, audience) -> list[str]:
    """The names of this incident's components (as one audience may read them) that are not
    operational as the update leaves them: what "working normally again" must not cover."""
    if components is None:
        components = [ic.component for ic in incident.components]
    statuses = dict(statuses or {})
    down = []
    for component in components:
        if isinstance(component, str):
            continue
        status = statuses.get(component, component.status)
        if status is not None and ComponentStatus(status) != ComponentStatus.operational:
            down.append(component.name)
    allowed = set(component_names(incident, components, audience))
    return [name for name in down if name in allowed]


def component_starts(incident: Incident) -> dict[int, object]:
    """{component id: when this incident first took it out of operational}: a component
    added mid-incident was affected from its own start, not the incident's."""
    if incident.id is None:
        return {}
    rows = db.session.execute(
        db.select(ComponentStatusChange.component_id, db.func.min(ComponentStatusChange.at))
        .join(Update, Update.id == ComponentStatusChange.update_id)
        .where(
            Update.incident_id == incident.id,
            ComponentStatusChange.status != ComponentStatus.operational,
        )
        .group_by(ComponentStatusChange.component_id)
    )
    return dict(rows.all())


def affected_since(incident: Incident, names: list[str], tz: str, started) -> str:
    """ "API (from 08:33) and Search (from 08:55)", or "API and Search (from 08:33)" when they
    all started with the incident."""
    if not names:
        return ""
    starts = component_starts(incident)
    by_name = {ic.component.name: starts.get(ic.component_id) for ic in incident.components}
    when = {name: max(by_name.get(name) or started, started) for name in names}
    if len(set(when.values())) <= 1:
        return f"{join_names(names)} (from {format_local(started, tz)})"
    return join_names([f"{name} (from {format_local(when[name], tz)})" for name in names])


def template_context(
    incident: Incident,
    *,
    state: State | str,
    next_update_at=None,
    components=None,
    audience: Audience | str = Audience.external,
    statuses=None,
    postmortem_url: str | None = None,
) -> dict:
    """The documented variables for ``incident`` about to enter ``state``, as ``audience``
    may read them (``statuses``: {Component: status} the update is about to set)."""
    tz = page_settings().timezone
    names = component_names(incident, components, audience)
    others = also_affected(incident, components, audience)
    down = still_affected(incident, components, statuses, audience)
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
        "still_affected": join_names(down) if down else "",
        "started_at": format_local(started, tz),
        "resolved_at": format_local(resolved, tz),
        "duration": format_duration(((resolved or now) - started).total_seconds()),
        "affected_since": affected_since(incident, names, tz, started),
        "next_update_at": format_local(next_update_at, tz) if next_update_at else "",
        "postmortem_url": postmortem_url or "",
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


class _Blank(str):
    """An empty value as a template prints it: a mark that is falsy in {% if %}, so the line
    that printed it can be found and left out."""

    MARK = "\u2063"

    def __new__(cls):
        return super().__new__(cls, cls.MARK)

    def __bool__(self) -> bool:
        return False


def render_dropping_blanks(source: str, context: dict) -> str:
    """``source`` rendered, leaving out each line that printed an empty variable."""
    marked = {
        k: (_Blank() if isinstance(v, str) and not v.strip() else v) for k, v in context.items()
    }
    text = render_text(source, marked)
    lines = [line for line in text.split("\n") if _Blank.MARK not in line]
    text = "\n".join(lines).replace(_Blank.MARK, "")
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def prefill(
    incident: Incident,
    *,
    state,
    next_update_at=None,
    components=None,
    statuses=None,
    postmortem_url=None,
    built_in: bool = False,
) -> dict:
    """Rendered texts for ``state``: {"external": (subject, body), "internal": (...)}; with
    ``built_in``, from Crier's own default templates rather than the page's saved ones."""
    out = {}
    for audience in Audience:
        context = template_context(
            incident,
            state=state,
            next_update_at=next_update_at,
            components=components,
            audience=audience,
            statuses=statuses,
            postmortem_url=postmortem_url,
        )
        kind = incident.kind or IncidentKind.incident
        if built_in:
            found = DEFAULT_TEMPLATES[IncidentKind(kind)].get((State(state), audience))
        else:
            found = find_template(kind, state, audience)
            found = found and (found.subject, found.body)
        if not found:
            out[audience.value] = ("", "")
        else:
            subject, body = found
            out[audience.value] = (
                render_text(subject, context),
                render_dropping_blanks(body, context),
            )
    return out
