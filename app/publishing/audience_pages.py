"""The site as each set of audiences sees it: the public floor plus what the set's audiences
see (``app.audiences.rule``), published once per set, stored apart from the public artifacts
(``AudienceArtifact``, precompressed) and never served to a viewer outside the set.

A set has its own bytes only where its view differs from the public one: the status page and
the ``/api/v2/`` documents always (they list the set's components); the history index, the
months and the feeds only while the set sees an incident the floor does not; an incident's
page only when the set sees it and sees more of it than the public (the incident itself, a
hidden component it affects, or its internal text). Everywhere else a viewer reads the public
bytes, which are theirs too.

A change re-renders only the sets that can see it (``scopes_for``): a change on the floor is
seen by every set; an incident off the floor by the sets that see it now or had its page.
What every set shares (components, open incidents, the floor's history) is loaded once per
publish (``Shared``); each set filters it through the rule.
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update

from app.audiences.membership import load_membership
from app.audiences.readers import floor_viewer, list_audiences, sight_of
from app.audiences.rule import Viewer, viewer_of, visible
from app.audiences.seen_by import audience_sights
from app.extensions import db
from app.models import AudienceArtifact, Component, PublishedArtifact
from app.publishing.audience_render import (
    HOME,
    SetRender,
    Shared,
    floor_with_more,
)
from app.publishing.encodings import encode
from app.publishing.site import Artifact, rendering
from app.publishing.statuspage import API_DOCUMENTS
from app.sqltypes import utcnow

API = tuple(f"/api/v2/{name}" for name in API_DOCUMENTS)
HISTORY = ("/history", "/history.atom", "/history.rss")


@dataclass
class Scope:
    """What of one set a publish re-renders: the status page and JSON (``hot``), the history
    and feeds (``history``), and incident pages (ids; None: every one the set has)."""

    hot: bool = False
    history: bool = False
    incidents: set[int] | None = field(default_factory=set)

    @classmethod
    def full(cls) -> "Scope":
        return cls(hot=True, history=True, incidents=None)

    def merge(self, other: "Scope") -> None:
        self.hot |= other.hot
        self.history |= other.history
        if self.incidents is None or other.incidents is None:
            self.incidents = None
        else:
            self.incidents |= other.incidents

    def covers(self, path: str, incident_paths: set[str]) -> bool:
        """Whether ``path`` of the set is rendered again by this scope (so a stored path the
        render did not make is gone)."""
        if path == HOME or path in API:
            return self.hot
        if path in HISTORY or path.startswith("/history/"):
            return self.history
        if path.startswith("/incidents/"):
            return self.incidents is None or path in incident_paths
        return False


@dataclass(frozen=True)
class Change:
    """What a publish changed, as the publisher knows it."""

    everything: bool = False
    incidents: tuple = ()  # Incident rows, loaded
    components: tuple = ()  # component public ids whose status moved
    clock: bool = False  # time moved: every set's status page and JSON


EVERYTHING = Change(everything=True)


def set_viewers() -> dict[str, Viewer]:
    """Every set of audiences a viewer can have, by key, as the rule's viewer (three queries)."""
    keys = load_membership().keys()
    if not keys:
        return {}
    sights, floor = audience_sights()
    return {
        key: viewer_of(
            [sights[i] for i in key.split(",") if i in sights],
            claimed_components=floor.claimed_components,
            claimed_groups=floor.claimed_groups,
        )
        for key in sorted(keys)
    }


def _stored_keys(keys) -> dict[str, dict[str, tuple[int, str]]]:
    """key → path → (row id, etag) of the sets' stored artifacts."""
    found: dict = {}
    if not keys:
        return found
    query = select(
        AudienceArtifact.id, AudienceArtifact.key, AudienceArtifact.path, AudienceArtifact.etag
    )
    for row in db.session.execute(query.where(AudienceArtifact.key.in_(list(keys)))):
        found.setdefault(row.key, {})[row.path] = (row.id, row.etag)
    return found


def scopes_for(change: Change, viewers: dict[str, Viewer], floor: Viewer) -> dict[str, Scope]:
    """Which sets see this change, and what of each it re-renders. A set with nothing stored
    yet (new) is rendered whole."""
    stored_keys = set(db.session.scalars(select(AudienceArtifact.key).distinct()))
    scopes = {k: Scope.full() for k in viewers if change.everything or k not in stored_keys}

    def touch(keys, scope):
        for key in keys:
            if key not in scopes:
                scopes[key] = Scope()
            scopes[key].merge(scope)

    if change.clock:
        touch(viewers, Scope(hot=True))
    if change.components:
        found = db.session.scalars(
            select(Component).where(Component.public_id.in_(list(change.components)))
        ).all()
        for component in found:
            touch([k for k, v in viewers.items() if visible(v, component)], Scope(hot=True))
    if change.incidents:
        paths = [f"/incidents/{i.public_id}" for i in change.incidents]
        was_public = set(
            db.session.scalars(
                select(PublishedArtifact.path).where(
                    PublishedArtifact.path.in_(paths), PublishedArtifact.gone.is_(False)
                )
            )
        )
        had_page = {}
        rows = db.session.execute(
            select(AudienceArtifact.key, AudienceArtifact.path).where(
                AudienceArtifact.path.in_(paths)
            )
        )
        for key, path in rows:
            had_page.setdefault(path, set()).add(key)
        for incident, path in zip(change.incidents, paths, strict=True):
            scope = Scope(hot=True, history=True, incidents={incident.id})
            if path in was_public or visible(floor, incident):
                touch(viewers, scope)  # on the floor (now or before): every set sees it
            else:
                sees = [k for k, v in viewers.items() if visible(v, incident)]
                touch([*sees, *had_page.get(path, ())], scope)
    return scopes


def render_sets(change: Change = EVERYTHING, *, now=None) -> dict:
    """key → (Scope, {path: Artifact}) for the sets this change touches; and the keys of
    every set viewers can have now (``"keys"``)."""
    viewers = set_viewers()
    out = {"keys": set(viewers), "sets": {}}
    if not viewers:
        return out
    with rendering(now) as r:
        scopes = scopes_for(change, viewers, r.floor)
        if not scopes:
            return out
        shared = Shared(r)
        full_candidates = None
        for key, scope in scopes.items():
            one = SetRender(r, shared, viewers[key])
            if scope.hot:
                one.hot()
            if scope.history:
                one.history()
            if scope.incidents is None:
                if full_candidates is None:
                    full_candidates = {i.id: i for i in [*shared.extras, *floor_with_more()]}
                one.incident_pages(full_candidates.values())
            elif scope.incidents:
                one.incident_pages([i for i in change.incidents if i.id in scope.incidents])
            incident_paths = {
                f"/incidents/{i.public_id}"
                for i in change.incidents
                if scope.incidents and i.id in scope.incidents
            }
            out["sets"][key] = (scope, one.artifacts, incident_paths)
    return out


def _public_etags(paths) -> dict[str, str]:
    """path → ETag of the public artifacts at these paths, as stored now."""
    found, paths = {}, sorted(paths)
    for start in range(0, len(paths), 500):
        query = select(PublishedArtifact.path, PublishedArtifact.etag).where(
            PublishedArtifact.path.in_(paths[start : start + 500]),
            PublishedArtifact.gone.is_(False),
        )
        found.update(db.session.execute(query).all())
    return found


def store_sets(rendered: dict, etag_for) -> None:
    """Keep each rendered set's artifacts (changed bytes only, compressed once), drop what its
    scope covers but it no longer has or has as the public has it (then the public bytes are
    the set's), and every set no viewer can have now; in the caller's transaction, after the
    public artifacts are stored."""
    sets = rendered["sets"]
    stored = _stored_keys(set(sets))
    public = _public_etags({path for _, made, _ in sets.values() for path in made})
    stamp = utcnow()
    gone_ids, inserts, updates, encoded_by_etag = [], [], [], {}
    for key, (scope, artifacts, incident_paths) in sets.items():
        mine = stored.get(key, {})
        kept = set()
        for path, artifact in artifacts.items():
            etag = etag_for(artifact.body)
            if public.get(path) == etag:
                continue  # the set sees this as everyone does
            kept.add(path)
            row = mine.get(path)
            if row is not None and row[1] == etag:
                continue
            encoded = encoded_by_etag.get(etag)
            if encoded is None:
                encoded = encoded_by_etag[etag] = encode(artifact.body, artifact.content_type)
            values = {
                "content_type": artifact.content_type,
                "body": artifact.body,
                "body_gzip": encoded.gzip,
                "body_br": encoded.br,
                "etag": etag,
                "updated_at": stamp,
            }
            if row is None:
                inserts.append({"key": key, "path": path, **values})
            else:
                updates.append({"id": row[0], **values})
        gone_ids += [
            row[0]
            for path, row in mine.items()
            if path not in kept and scope.covers(path, incident_paths)
        ]
    if gone_ids:
        db.session.execute(delete(AudienceArtifact).where(AudienceArtifact.id.in_(gone_ids)))
    if updates:  # one statement for all (by primary key, executemany)
        db.session.execute(update(AudienceArtifact), updates)
    if inserts:
        db.session.execute(insert(AudienceArtifact), inserts)
    keys = list(rendered["keys"]) or [""]
    db.session.execute(delete(AudienceArtifact).where(AudienceArtifact.key.not_in(keys)))


def publish_sets(change: Change = EVERYTHING, *, now=None, etag_for) -> None:
    """Render and store what ``change`` touches of every set of audiences."""
    store_sets(render_sets(change, now=now), etag_for)


def find_audience(name_or_id: str):
    """The audience with this public id or name (exactly), or None."""
    for audience in list_audiences():
        if name_or_id in (audience.public_id, audience.name):
            return audience
    return None


def render_audience_site(audience, *, now=None) -> dict[str, Artifact]:
    """Every artifact one audience's viewers have apart from the public ones, rendered now
    (for ``flask publish --out DIR --audience``)."""
    viewer = viewer_of_audiences([audience])
    with rendering(now) as r:
        shared = Shared(r)
        one = SetRender(r, shared, viewer)
        one.hot()
        one.history()
        one.incident_pages({i.id: i for i in [*shared.extras, *floor_with_more()]}.values())
    return one.artifacts


def viewer_of_audiences(audiences) -> Viewer:
    """The rule's viewer belonging to exactly these audiences, as the audiences stand now."""
    floor = floor_viewer()
    return viewer_of(
        [sight_of(a) for a in audiences],
        claimed_components=floor.claimed_components,
        claimed_groups=floor.claimed_groups,
    )


def audiences_of_member(email: str) -> list:
    """The audiences an address belongs to by its listing or its domain, as a viewer signed
    in by an emailed link would (claim values and IP ranges are not known from an address)."""
    ids = load_membership().ids_for(email)
    return [a for a in list_audiences() if a.public_id in ids]


def render_preview(viewer: Viewer, path: str, *, now=None) -> Artifact | None:
    """The artifact at ``path`` as ``viewer`` sees it, rendered now by the publisher's own
    code (for the console's preview), or None where the viewer reads the public bytes."""
    with rendering(now) as r:
        shared = Shared(r)
        one = SetRender(r, shared, viewer)
        if path.startswith("/incidents/"):
            public_id = path.removeprefix("/incidents/")
            wanted = [i for i in [*shared.extras, *floor_with_more()] if i.public_id == public_id]
            one.incident_pages(wanted)
        elif path.startswith("/history"):
            one.history()
        else:
            one.hot()
    return one.artifacts.get(path)
