"""Statuspage API v2 documents: the exact key names and values of Atlassian Statuspage."""

from datetime import datetime

from sqlalchemy.orm import aliased, selectinload

from app.audiences.rule import PUBLIC, UpdateText, visible
from app.extensions import db
from app.models import (
    ComponentStatusChange,
    Incident,
    IncidentKind,
    Setting,
    State,
    Update,
)
from app.publishing import pages
from app.publishing.status import public_updates
from app.timefmt import zone

RECENT = 50
_WORST_LAST = [
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
]
# Statuspage has no "cancelled": a cancelled maintenance reads as completed there.
_STATUS_ALIASES = {State.cancelled: "completed"}


def iso(value: datetime | None, tz_name: str | None) -> str | None:
    """ISO 8601 with milliseconds and the page's UTC offset, as Statuspage writes times."""
    if value is None:
        return None
    return value.astimezone(zone(tz_name)).isoformat(timespec="milliseconds")


class ApiBuilder:
    """Builds the documents for one publish, sharing the page facts between them."""

    def __init__(
        self, settings: Setting, base_url: str, now: datetime, components=None, viewer=PUBLIC
    ):
        self.viewer = viewer  # whose documents: the public's unless told
        self.memo = None
        self.same_for_all = None
        self.settings = settings
        self.tz = settings.timezone
        self.base_url = base_url
        self.now = now
        self.components = pages.public_components() if components is None else components
        self.groups = pages.public_groups()
        self.public_ids = {c.id for c in self.components}

    def page(self, updated_at: datetime) -> dict:
        return {
            "id": "crier",
            "name": self.settings.page_name,
            "url": self.base_url,
            "time_zone": self.tz,
            "updated_at": iso(updated_at, self.tz),
        }

    def status(self, open_incidents) -> dict:
        indicator, description = pages.page_indicator(self.components, open_incidents)
        return {"indicator": indicator, "description": description}

    def component(self, c) -> dict:
        return {
            "id": c.public_id,
            "name": c.name,
            "status": c.status.value,
            "created_at": iso(c.created_at, self.tz),
            "updated_at": iso(c.updated_at, self.tz),
            "position": c.position,
            "description": c.description,
            "showcase": True,
            "start_date": c.start_date.isoformat() if c.start_date else None,
            "group_id": c.group.public_id if c.group else None,
            "page_id": "crier",
            "group": False,
            "only_show_if_degraded": c.only_show_if_degraded,
        }

    def group(self, g, members) -> dict:
        return {
            "id": g.public_id,
            "name": g.name,
            "status": max(members, key=_severity).status.value,
            "created_at": iso(g.created_at, self.tz),
            "updated_at": iso(g.updated_at, self.tz),
            "position": g.position,
            "description": g.description,
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": "crier",
            "group": True,
            "only_show_if_degraded": False,
            "components": [c.public_id for c in members],
        }

    def all_components(self) -> list[dict]:
        out = [self.component(c) for c in self.components]
        for g in self.groups:
            members = [c for c in self.components if c.group_id == g.id]
            if members:
                out.append(self.group(g, members))
        return out

    def update(self, incident: Incident, u: Update, changes) -> dict:
        affected = [
            {"code": ch.component.public_id, "name": ch.component.name}
            | {"old_status": old, "new_status": ch.status.value}
            for ch, old in changes.get(u.id, [])
            if ch.component_id in self.public_ids  # changes loaded for more (a shared load)
        ]
        return {
            "id": u.public_id,
            "status": _STATUS_ALIASES.get(u.state, u.state.value),
            "body": u.external_body,
            "incident_id": incident.public_id,
            "created_at": iso(u.posted_at, self.tz),
            "updated_at": iso(u.posted_at, self.tz),
            "display_at": iso(u.posted_at, self.tz),
            "affected_components": affected or None,
            "deliver_notifications": u.notify,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def incident(self, incident: Incident, changes) -> dict:
        """The incident's document; with a ``memo`` (shared by the sets of one publish), made
        once for the same incident, components and updates as the viewer sees them."""
        if self.memo is None:
            return self._incident(incident, changes)
        if self.same_for_all is not None and self.same_for_all(incident):
            key = (incident.id,)  # every viewer sees it, its components and texts alike
            doc = self.memo.get(key)
            if doc is None:
                doc = self.memo[key] = self._incident(incident, changes)
            return doc
        affected = pages.affected_components(incident, self.viewer)
        updates = public_updates(incident, self.viewer)
        moved = tuple(
            ch.id
            for u in updates
            for ch, _ in changes.get(u.id, ())
            if ch.component_id in self.public_ids
        )
        key = (incident.id, tuple(c.id for c in affected), tuple(u.id for u in updates), moved)
        doc = self.memo.get(key)
        if doc is None:
            doc = self.memo[key] = self._incident(incident, changes)
        return doc

    def _incident(self, incident: Incident, changes) -> dict:
        doc = {
            "id": incident.public_id,
            "name": incident.title,
            "status": _STATUS_ALIASES.get(incident.state, incident.state.value),
            "created_at": iso(incident.created_at, self.tz),
            "updated_at": iso(incident.updated_at, self.tz),
            "monitoring_at": iso(incident.monitoring_at, self.tz),
            "resolved_at": iso(incident.resolved_at, self.tz),
            "impact": incident.impact.value,
            "shortlink": f"{self.base_url}/incidents/{incident.public_id}",
            "started_at": iso(incident.started_at, self.tz),
            "page_id": "crier",
            "incident_updates": [
                self.update(incident, u, changes) for u in public_updates(incident, self.viewer)
            ],
            "components": [
                self.component(c) for c in pages.affected_components(incident, self.viewer)
            ],
        }
        if incident.kind == IncidentKind.maintenance:
            doc["scheduled_for"] = iso(incident.scheduled_for, self.tz)
            doc["scheduled_until"] = iso(incident.scheduled_until, self.tz)
        return doc


def _severity(component) -> int:
    return _WORST_LAST.index(component.status.value)


def changes_by_update(incidents, public_ids):
    """update id → [(public ComponentStatusChange, previous status or None)].

    The status before each change is one index seek on (component, at) per change, in the
    same query: it never reads a component's whole history.
    """
    incident_ids = {i.id for i in incidents}
    if not incident_ids:
        return {}
    update_ids = db.select(Update.id).where(Update.incident_id.in_(incident_ids))
    Change, earlier = ComponentStatusChange, aliased(ComponentStatusChange)
    previous = (
        db.select(earlier.status)
        .where(earlier.component_id == Change.component_id, earlier.at < Change.at)
        .order_by(earlier.at.desc(), earlier.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        db.select(Change, previous)
        .where(Change.update_id.in_(update_ids))
        .where(Change.component_id.in_(public_ids))
        .options(selectinload(Change.component))
    )
    out = {}
    for change, old in sorted(db.session.execute(query), key=lambda r: (r[0].at, r[0].id)):
        out.setdefault(change.update_id, []).append((change, old.value if old else None))
    return out


API_DOCUMENTS = (
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)


def recent_incidents(query=None) -> dict:
    """kind → the newest ``RECENT`` incidents of the query (the public ones unless told)."""
    query = pages.public_incidents_query() if query is None else query
    return {
        kind: list(
            db.session.scalars(
                query.where(Incident.kind == kind)
                .order_by(Incident.started_at.desc(), Incident.id.desc())
                .limit(RECENT)
            )
        )
        for kind in IncidentKind
    }


def api_documents(
    *,
    settings: Setting,
    base_url: str,
    now: datetime,
    components=None,
    open_=None,
    recent=None,
    viewer=PUBLIC,
    changes=None,
    memo=None,
    same_for_all=None,
) -> dict[str, dict]:
    """file name under /api/v2/ → JSON document, for every Statuspage v2 endpoint
    (``components``, ``open_``, ``recent``: the page's public components, open incidents and
    ``recent_incidents``, when the caller has loaded them already; with ``viewer``, what that
    viewer sees, which the caller loaded; ``changes``, ``changes_by_update`` of every incident
    shown, and ``memo``, a dict kept across the documents of several viewers, with
    ``same_for_all(incident)`` saying which incidents every viewer sees alike)."""
    b = ApiBuilder(settings, base_url, now, components, viewer)
    b.memo, b.same_for_all = memo, same_for_all
    recent = recent_incidents() if recent is None else recent
    open_ = pages.open_incidents() if open_ is None else open_
    shown = [*recent["incident"], *recent["maintenance"], *open_]
    if changes is None:
        changes = changes_by_update(shown, b.public_ids)
    updated = [settings.updated_at, *(c.updated_at for c in b.components)]
    updated += [i.updated_at for i in shown]
    updated += [u.posted_at for i in shown for u in i.updates if visible(viewer, UpdateText(u))]
    page = b.page(max((d for d in updated if d is not None), default=now))
    status = b.status(open_)
    components = b.all_components()
    unresolved = [b.incident(i, changes) for i in open_ if i.kind == IncidentKind.incident]
    maintenances = [b.incident(i, changes) for i in recent["maintenance"]]
    open_maint = [i for i in open_ if i.kind == IncidentKind.maintenance]
    upcoming = [b.incident(i, changes) for i in open_maint if i.state == State.scheduled]
    active = [b.incident(i, changes) for i in open_maint if i.state in pages.ACTIVE_MAINTENANCE]
    return {
        "summary.json": {
            "page": page,
            "components": components,
            "incidents": unresolved,
            "scheduled_maintenances": upcoming + active,
            "status": status,
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components},
        "incidents.json": {
            "page": page,
            "incidents": [b.incident(i, changes) for i in recent["incident"]],
        },
        "incidents/unresolved.json": {"page": page, "incidents": unresolved},
        "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": maintenances},
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": upcoming},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": active},
    }
