"""What a change touches: the outbox rows it leaves, and the parts of the site they re-render.

An incident's change re-renders its page, the status page, badge and JSON, the history index
and the month it started in, and the feeds, of the whole page and of each component it
affects. A component's status re-renders the status page, badge and JSON (and its history
index and feeds). Everything (settings, renames) re-renders those hot artifacts at once and
the archive behind them in bounded batches: incident pages newest first, then the months.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select

from app.audiences.floor import floor_incidents
from app.extensions import db
from app.models import Incident, IncidentComponent, IncidentKind, PublishDirty
from app.models.published import (
    COMPONENTS,
    EVERYTHING,
    INCIDENT,
    MOVED,
    SWEEP,
)
from app.publishing import pages
from app.publishing.calendar import PAGE_CALENDAR, component_calendar
from app.publishing.site import Site, month_path, rendering
from app.publishing.statuspage import API_DOCUMENTS

BATCH_ROWS = 100  # changes folded into one publish; the rest wait for the next batch
SWEEP_INCIDENTS = 200  # incident pages per batch of a whole-site re-publish
SWEEP_MONTHS = 60  # history month pages per batch


def pending() -> bool:
    """Whether a change waits to be published."""
    with db.engine.connect() as conn:
        return conn.execute(select(func.count(PublishDirty.id))).scalar() > 0


@dataclass
class Batch:
    """What one publish of changes rendered, and what it leaves for the next."""

    site: Site
    rows: list[int] = field(default_factory=list)  # the outbox rows it consumed
    expected: set[str] | None = None  # with everything: every path the site has now
    next_sweep: str | None = None
    # What the audiences' sets are told (``audience_pages.scopes_for``): a sweep's later
    # batches tell them nothing (its first batch, everything, re-rendered every set).
    everything: bool = False
    incidents: list = field(default_factory=list)
    components: list[str] = field(default_factory=list)


def _incidents(public_ids):
    """The changed incidents, public or not (one made private must leave the pages)."""
    query = select(Incident).where(Incident.public_id.in_(public_ids))
    return list(db.session.scalars(query.options(*pages.incident_loads())))


def render_changes(*, now=None) -> Batch:
    """Render what the oldest waiting changes (at most ``BATCH_ROWS``) touch; one batch."""
    rows = list(
        db.session.scalars(select(PublishDirty).order_by(PublishDirty.id).limit(BATCH_ROWS))
    )
    if not rows:  # nothing waits: no render (the publish task asks once more after its last)
        return Batch(site=Site())
    kinds = {}
    for row in rows:
        kinds.setdefault(row.kind, []).append(row.key)
    with rendering(now) as r:
        batch = Batch(site=r.site, rows=[row.id for row in rows])
        if set(kinds) - {SWEEP}:  # a sweep's later batches leave the hot artifacts alone
            r.hot()
        by_slug = {c.public_id: c for c in r.components}
        by_id = {c.id: c for c in r.components}
        histories = {None: set()} if INCIDENT in kinds else {}
        for public_id in kinds.get(COMPONENTS, []):
            if public_id in by_slug:
                histories.setdefault(by_slug[public_id].id, set())
        moved = {}  # public id → the starts it moved away from (their months change too)
        for key in kinds.get(MOVED, []):
            public_id, _, old = key.partition(" ")
            moved.setdefault(public_id, set()).add(r.month(datetime.fromisoformat(old)))
        if moved:
            histories.setdefault(None, set())
        batch.components = list(kinds.get(COMPONENTS, []))
        for incident in _incidents({*kinds.get(INCIDENT, []), *moved}):
            batch.incidents.append(incident)
            r.incident_page(incident)
            months = set() if incident.state == "scheduled" else {r.month(incident.started_at)}
            months |= moved.get(incident.public_id, set())
            touched = [link.component_id for link in incident.components]
            for key in {None, *touched, *histories}:
                histories.setdefault(key, set()).update(months)
        if EVERYTHING in kinds:
            batch.everything = True
            histories = {None: set(), **{c.id: set() for c in r.components}}
            db.session.execute(delete(PublishDirty).where(PublishDirty.kind == SWEEP))
            batch.next_sweep = "incidents:"
            batch.expected = expected_paths(r)
        elif SWEEP in kinds:
            batch.next_sweep = _sweep(r, kinds[SWEEP][0])
        for key, months in histories.items():
            if key is None or key in by_id:
                component = by_id.get(key)
                r.history(component, months=sorted(months, reverse=True))
                r.feeds(component)
    return batch


def _sweep(r, step: str) -> str | None:
    """One batch of a whole-site re-publish; the next step, or None when it is done."""
    stage, _, cursor = step.partition(":")
    if stage == "incidents":
        query = pages.public_incidents_query().order_by(Incident.id.desc()).limit(SWEEP_INCIDENTS)
        if cursor:
            query = query.where(Incident.id < int(cursor))
        incidents = list(db.session.scalars(query))
        for incident in incidents:
            r.incident_page(incident)
        if len(incidents) == SWEEP_INCIDENTS:
            return f"incidents:{incidents[-1].id}"
        return "months:0"
    offset = int(cursor or 0)
    pairs = [(None, m) for m in pages.history_months(None, r.tz)]
    for component, months in _component_months(r).items():
        pairs += [(component, m) for m in months]
    chunk = pairs[offset : offset + SWEEP_MONTHS]
    by_id = {c.id: c for c in r.components}
    for key in dict.fromkeys(k for k, _ in chunk):
        months = [m for k, m in chunk if k == key]
        r.history(by_id.get(key), months=months, index=False)
    return f"months:{offset + SWEEP_MONTHS}" if offset + SWEEP_MONTHS < len(pairs) else None


def _component_months(r) -> dict[int, list]:
    """public component id → its history's local months, newest first (one query)."""
    query = (
        select(IncidentComponent.component_id, Incident.started_at)
        .join(Incident, IncidentComponent.incident_id == Incident.id)
        .where(*pages.history_where(None))
    )
    months = {c.id: set() for c in r.components}
    for component_id, started_at in db.session.execute(query):
        if component_id in months:
            months[component_id].add(r.month(started_at))
    return {k: sorted(v, reverse=True) for k, v in months.items()}


def expected_paths(r) -> set[str]:
    """Every path the whole site has now, without rendering any (what is not here is gone)."""
    paths = {"/", "/badge.svg", "/api/v2/openapi.json", "/history", "/history.atom"}
    paths |= {"/history.rss", *(f"/api/v2/{name}" for name in API_DOCUMENTS)}
    public = select(Incident.public_id, Incident.kind).where(floor_incidents())
    for public_id, kind in db.session.execute(public):
        paths.add(f"/incidents/{public_id}")
        if kind == IncidentKind.maintenance:
            paths.add(f"/incidents/{public_id}/calendar.ics")
    paths.add(PAGE_CALENDAR)
    paths |= {month_path("/history", m) for m in pages.history_months(None, r.tz)}
    months = _component_months(r)
    for component in r.components:
        base = f"/components/{component.slug}/history"
        paths |= {base, base + ".atom", base + ".rss", component_calendar(component)}
        paths |= {month_path(base, m) for m in months[component.id]}
    return paths
