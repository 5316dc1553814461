"""The status page as each set of audiences sees it: the public floor plus what the set's
audiences see (``app.audiences.rule``), published once per set, stored apart from the public
artifacts (``AudienceArtifact``) and never served to a viewer outside the set."""

import threading
import time

from flask import current_app
from sqlalchemy import delete, select

from app.audiences.membership import load_membership
from app.audiences.readers import list_audiences, viewer_for
from app.audiences.rule import visible
from app.extensions import db
from app.models import AudienceArtifact, Component, ComponentGroup, Incident, State
from app.models.enums import CLOSED_STATES
from app.publishing import pages
from app.publishing.site import _status_page, rendering
from app.sqltypes import utcnow

HOME = "/"
_OPEN = [s.value for s in State if s not in CLOSED_STATES]


def _components_in_page_order() -> list[Component]:
    query = (
        db.select(Component)
        .outerjoin(ComponentGroup, Component.group_id == ComponentGroup.id)
        .order_by(
            ComponentGroup.position.is_(None),
            ComponentGroup.position,
            Component.position,
            Component.name,
        )
    )
    return list(db.session.scalars(query))


def _open_incidents() -> list[Incident]:
    query = (
        db.select(Incident)
        .where(Incident.state.in_(_OPEN))
        .options(*pages.incident_loads())
        .order_by(Incident.started_at.desc())
    )
    return list(db.session.scalars(query))


def render_homes(*, now=None) -> dict[str, bytes]:
    """The status page of every set of audiences a viewer can have, by the set's key."""
    keys = load_membership().keys()
    if not keys:
        return {}
    by_id = {a.public_id: a for a in list_audiences()}
    components, open_ = _components_in_page_order(), _open_incidents()
    homes = {}
    with rendering(now) as r:
        for key in sorted(keys):
            viewer = viewer_for([by_id[i] for i in key.split(",") if i in by_id])
            seen = [c for c in components if visible(viewer, c)]
            shown = [i for i in open_ if visible(viewer, i)]
            view = pages.page_view(now=r.now, tz_name=r.tz, components=seen, open_=shown)
            homes[key] = _status_page(view, seen, r.now, r.tz).body
    return homes


def store_homes(homes: dict[str, bytes], etag_for) -> None:
    """Keep each set's page (changed bytes only) and drop the sets no viewer can have now;
    in the caller's transaction."""
    stored = {
        row.key: row
        for row in db.session.scalars(select(AudienceArtifact).where(AudienceArtifact.path == HOME))
    }
    for key, body in homes.items():
        row = stored.get(key)
        if row is None:
            db.session.add(AudienceArtifact(key=key, path=HOME, body=body, etag=etag_for(body)))
        elif row.body != body:
            row.body, row.etag, row.updated_at = body, etag_for(body), utcnow()
    gone = [key for key in stored if key not in homes]
    if gone:
        db.session.execute(delete(AudienceArtifact).where(AudienceArtifact.key.in_(gone)))


class _Homes:
    """Every set's stored page in this process, read again at most once per
    ``PUBLISH_CHECK_SECONDS``: a viewer's read costs no query."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[bytes, str]] = {}
        self._read_at = float("-inf")

    def get(self, key: str) -> tuple[bytes, str] | None:
        interval = float(current_app.config["PUBLISH_CHECK_SECONDS"])
        if time.monotonic() - self._read_at >= interval:
            with self._lock:
                if time.monotonic() - self._read_at >= interval:
                    self._pages = self._read()
                    self._read_at = time.monotonic()
        return self._pages.get(key) if key else None

    def _read(self) -> dict[str, tuple[bytes, str]]:
        """The pages as stored: their ETags first, then the bodies of those that changed."""
        here = AudienceArtifact.path == HOME
        etags = dict(
            db.session.execute(
                select(AudienceArtifact.key, AudienceArtifact.etag).where(here)
            ).all()
        )
        kept = {k: v for k, v in self._pages.items() if etags.get(k) == v[1]}
        changed = [k for k in etags if k not in kept]
        if changed:
            query = select(AudienceArtifact.key, AudienceArtifact.body, AudienceArtifact.etag)
            query = query.where(here, AudienceArtifact.key.in_(changed))
            for key, body, etag in db.session.execute(query):
                kept[key] = (body, etag)
        return kept

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


homes = _Homes()
