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
from functools import cached_property

from flask import render_template
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import selectinload

from app.audiences.floor import floor_incidents
from app.audiences.membership import load_membership
from app.audiences.readers import floor_viewer, list_audiences, sight_of
from app.audiences.rule import UpdateText, Viewer, viewer_of, visible
from app.core.text import clean_text
from app.extensions import db
from app.models import (
    AudienceArtifact,
    Component,
    ComponentGroup,
    Incident,
    IncidentComponent,
    PublishedArtifact,
    State,
    Update,
)
from app.models.enums import CLOSED_STATES
from app.publishing import pages
from app.publishing.encodings import encode
from app.publishing.feeds import ATOM_TYPE, RSS_TYPE, render_feeds, site_feed_spec
from app.publishing.fragments import helpers
from app.publishing.site import HTML, Artifact, _json, rendering
from app.publishing.statuspage import API_DOCUMENTS, RECENT, api_documents, changes_by_update
from app.publishing.uptime import uptime_for
from app.sqltypes import utcnow
from app.timefmt import zone

HOME = "/"
API = tuple(f"/api/v2/{name}" for name in API_DOCUMENTS)
HISTORY = ("/history", "/history.atom", "/history.rss")
_OPEN = [s.value for s in State if s not in CLOSED_STATES]
MAX_EXTRAS = 5000  # incidents off the floor loaded per publish (newest first): a bounded read


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


class Shared:
    """What every set's render reads, loaded at most once per publish."""

    def __init__(self, render):
        self.r = render

    @cached_property
    def components(self) -> list[Component]:
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

    @cached_property
    def open_(self) -> list[Incident]:
        query = (
            db.select(Incident)
            .where(Incident.state.in_(_OPEN))
            .options(*pages.incident_loads(), selectinload(Incident.added_audiences))
            .order_by(Incident.started_at.desc())
        )
        return list(db.session.scalars(query))

    @cached_property
    def extras(self) -> list[Incident]:
        """Incidents off the floor (an audience's, or internal-only), newest first."""
        query = (
            db.select(Incident)
            .where(~floor_incidents())
            .options(*pages.incident_loads(), selectinload(Incident.added_audiences))
            .order_by(Incident.started_at.desc(), Incident.id.desc())
            .limit(MAX_EXTRAS)
        )
        return list(db.session.scalars(query))

    @cached_property
    def recent(self) -> dict:
        from app.publishing.statuspage import recent_incidents

        return recent_incidents()

    @cached_property
    def history_months(self) -> list:
        return pages.history_months(None, self.r.tz)

    @cached_property
    def feed_incidents(self) -> list[Incident]:
        return pages.feed_incidents(None)

    @cached_property
    def past_days(self) -> list:
        return pages.past_days(now=self.r.now, tz_name=self.r.tz)

    @cached_property
    def groups(self) -> list:
        return pages.public_groups()

    @cached_property
    def uptime(self) -> dict:
        """component id → its uptime bars (a component's are the same on every set's page)."""
        return uptime_for(self.components, now=self.r.now, tz_name=self.r.tz)

    @cached_property
    def changes(self) -> dict:
        """Every status change of an update any set's JSON may show (one query)."""
        extras = {}
        for incident in self.extras:
            extras.setdefault(incident.kind, [])
            if len(extras[incident.kind]) < RECENT:
                extras[incident.kind].append(incident)
        shown = {i.id: i for i in self.open_}
        for incidents in [*self.recent.values(), *extras.values()]:
            shown.update((i.id, i) for i in incidents)
        return changes_by_update(list(shown.values()), {c.id for c in self.components})

    @cached_property
    def memo(self) -> dict:
        """The JSON documents of incidents, made once for the same view of them."""
        return {}

    def on_floor(self, incident) -> bool:
        """Whether everyone sees ``incident`` (then every set does: asked once per publish)."""
        found = self.__dict__.setdefault("_floor_cache", {})
        if incident.id not in found:
            found[incident.id] = visible(self.r.floor, incident)
        return found[incident.id]

    def same_for_all(self, incident) -> bool:
        """Whether every set sees ``incident`` as the public does: on the floor, on public
        components only, its internal text not shown in JSON."""
        found = self.__dict__.setdefault("_same_cache", {})
        if incident.id not in found:
            found[incident.id] = self.on_floor(incident) and all(
                ic.component is not None and ic.component.is_public for ic in incident.components
            )
        return found[incident.id]

    def floor_answer(self, what: str, incident):
        """The floor's affected components or updates of ``incident``, asked once."""
        found = self.__dict__.setdefault("_answers", {})
        key = (what, incident.id)
        if key not in found:
            floor = Looks(self.r.floor)
            found[key] = getattr(floor, what)(incident)
        return found[key]

    def reads(self, viewer):
        """Whether ``viewer`` reads an update's external text (the floor's answer, asked once,
        for an incident on the floor)."""
        found = self.__dict__.setdefault("_reads_cache", {})

        def read(update):
            if self.on_floor(update.incident):
                if update.id not in found:
                    found[update.id] = visible(self.r.floor, UpdateText(update))
                return found[update.id]
            return visible(viewer, UpdateText(update))

        return read

    def month_incidents(self, month) -> list[Incident]:
        found = self.__dict__.setdefault("_month_cache", {})
        if month not in found:
            found[month] = pages.month_incidents(month, None, self.r.tz)
        return found[month]

    def floor_page_ids(self, incidents) -> set[int]:
        """Ids of these incidents the public has a page for now."""
        return {i.id for i in incidents if visible(self.r.floor, i)}


class Looks:
    """What one set's viewer sees, as the templates ask it."""

    def __init__(self, viewer: Viewer, shared: "Shared | None" = None):
        self.viewer = viewer
        # A set without an internal audience sees an incident every set sees alike as the
        # public does: the answers are the floor's, asked once per publish.
        self.alike = None
        if shared is not None and not any(a.internal for a in viewer.audiences):
            self.alike = shared

    def affected(self, incident) -> list[Component]:
        if self.alike is not None and self.alike.same_for_all(incident):
            return self.alike.floor_answer("affected", incident)
        return pages.affected_components(incident, self.viewer)

    def updates(self, incident) -> list[Update]:
        """Updates with a text the viewer reads (external, or internal), newest first."""
        if self.alike is not None and self.alike.same_for_all(incident):
            return self.alike.floor_answer("updates", incident)
        shown = [
            u
            for u in incident.updates
            if visible(self.viewer, UpdateText(u))
            or visible(self.viewer, UpdateText(u, internal=True))
        ]
        return sorted(shown, key=lambda u: u.posted_at)[::-1]

    def internal_text(self, update) -> str:
        text = UpdateText(update, internal=True)
        return text.body if visible(self.viewer, text) else ""

    def html(self, path, template, **context) -> Artifact:
        overrides = {
            "affected_components": self.affected,
            "public_updates": self.updates,
            "internal_text": self.internal_text,
        }
        page = render_template(template, **{**helpers(), **overrides}, **context)
        return Artifact(path, HTML, clean_text(page).encode())

    def own_page(self, incident, floor) -> bool:
        """Whether the set sees this incident otherwise than the public does."""
        if not visible(self.viewer, incident):
            return False
        if not visible(floor, incident):
            return True
        if any(not c.is_public for c in self.affected(incident)):
            return True
        return any(self.internal_text(u) for u in incident.updates)


def _by_start(incidents) -> list[Incident]:
    return sorted(incidents, key=lambda i: (i.started_at, i.id), reverse=True)


class SetRender:
    """One set's artifacts for a scope."""

    def __init__(self, r, shared: Shared, viewer: Viewer):
        self.r, self.shared, self.looks = r, shared, Looks(viewer, shared)
        self.viewer = viewer
        self.artifacts: dict[str, Artifact] = {}

    def add(self, artifact: Artifact) -> None:
        self.artifacts[artifact.path] = artifact

    @cached_property
    def extras(self) -> list[Incident]:
        return [i for i in self.shared.extras if visible(self.viewer, i)]

    @cached_property
    def _extra_ids(self) -> set[int]:
        return {i.id for i in self.extras}

    def sees(self, incident) -> bool:
        """The rule's answer, from the answers this publish already has where it can."""
        if self.shared.on_floor(incident) or incident.id in self._extra_ids:
            return True
        if len(self.shared.extras) < MAX_EXTRAS:
            return False  # off the floor, and not among the set's: every one was asked
        return visible(self.viewer, incident)

    def hot(self) -> None:
        r, shared, viewer = self.r, self.shared, self.viewer
        seen = [c for c in shared.components if visible(viewer, c)]
        open_ = [i for i in shared.open_ if self.sees(i)]
        view = pages.page_view(
            now=r.now,
            tz_name=r.tz,
            components=seen,
            open_=open_,
            past=shared.past_days,
            groups=shared.groups,
        )
        closed = [i for i in self.extras if i.state in CLOSED_STATES]
        if closed:
            days = dict(view.past_days)
            for incident in closed:
                day = incident.started_at.astimezone(zone(r.tz)).date()
                if day in days:
                    days[day] = _by_start([*days[day], incident])
            view.past_days = list(days.items())
        self.add(self.looks.html(HOME, "public/index.html", view=view, uptime=shared.uptime))
        recent = {
            kind: _by_start(
                [i for i in incidents if self.sees(i)] + [i for i in self.extras if i.kind == kind]
            )[:RECENT]
            for kind, incidents in shared.recent.items()
        }
        documents = api_documents(
            settings=r.settings,
            base_url=r.base,
            now=r.now,
            components=seen,
            open_=open_,
            recent=recent,
            viewer=viewer,
            changes=shared.changes,
            memo=shared.memo,
            same_for_all=shared.same_for_all,
        )
        for name, document in documents.items():
            self.add(_json(f"/api/v2/{name}", document))

    def history(self) -> None:
        """The history index, the months the set's own incidents are in, and the feeds, when
        the set sees an incident the floor does not (else the public ones are the set's)."""
        r, shared = self.r, self.shared
        begun = [i for i in self.extras if i.state != State.scheduled]
        if begun:
            mine = {}
            for incident in begun:
                mine.setdefault(r.month(incident.started_at), []).append(incident)
            months = sorted(set(shared.history_months) | set(mine), reverse=True)

            def incidents_of(month):
                return _by_start([*shared.month_incidents(month), *mine.get(month, [])])

            self.add(
                self.looks.html(
                    "/history",
                    "public/history.html",
                    months=[(m, incidents_of(m)) for m in months[: pages.RECENT_MONTHS]],
                    archive=months,
                    components=r.components,
                    component=None,
                    month=None,
                )
            )
            for month in mine:
                self.add(
                    self.looks.html(
                        f"/history/{month.year}/{month.month}",
                        "public/history.html",
                        months=[(month, incidents_of(month))],
                        archive=[],
                        components=r.components,
                        component=None,
                        month=month,
                    )
                )
        told = [
            i for i in self.extras if any(visible(self.viewer, UpdateText(u)) for u in i.updates)
        ]
        if told:
            spec = site_feed_spec(r.settings.page_name)
            feeds = render_feeds(
                spec,
                [*shared.feed_incidents, *told],
                base_url=r.base,
                fallback=r.quiet,
                reads=shared.reads(self.viewer),
            )
            for ext, body in feeds.items():
                kind = ATOM_TYPE if ext == ".atom" else RSS_TYPE
                self.add(Artifact(spec.path + ext, kind, body))

    def incident_pages(self, incidents) -> None:
        for incident in incidents:
            if self.looks.own_page(incident, self.r.floor):
                path = f"/incidents/{incident.public_id}"
                self.add(
                    self.looks.html(
                        path,
                        "public/incident.html",
                        incident=incident,
                        components=self.looks.affected(incident),
                    )
                )


def _floor_with_more() -> list[Incident]:
    """Floor incidents a set may see more of: on a hidden component, or with internal text."""
    hidden = (
        db.select(IncidentComponent.incident_id)
        .join(Component)
        .where(Component.is_public.is_(False))
    )
    inner = db.select(Update.incident_id).where(Update.internal_body != "")
    query = (
        db.select(Incident)
        .where(floor_incidents(), Incident.id.in_(hidden) | Incident.id.in_(inner))
        .options(*pages.incident_loads())
        .order_by(Incident.started_at.desc())
        .limit(MAX_EXTRAS)
    )
    return list(db.session.scalars(query))


def set_viewers() -> dict[str, Viewer]:
    """Every set of audiences a viewer can have, by key, as the rule's viewer (three queries)."""
    keys = load_membership().keys()
    if not keys:
        return {}
    sights = {a.public_id: sight_of(a) for a in list_audiences()}
    floor = floor_viewer()
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
                    full_candidates = {i.id: i for i in [*shared.extras, *_floor_with_more()]}
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
    floor = floor_viewer()
    viewer = viewer_of(
        [sight_of(audience)],
        claimed_components=floor.claimed_components,
        claimed_groups=floor.claimed_groups,
    )
    with rendering(now) as r:
        shared = Shared(r)
        one = SetRender(r, shared, viewer)
        one.hot()
        one.history()
        one.incident_pages({i.id: i for i in [*shared.extras, *_floor_with_more()]}.values())
    return one.artifacts
