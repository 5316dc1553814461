"""How one set of audiences sees the site: what every set's render shares in one publish
(``Shared``), the rule's answers as the templates ask them (``Looks``), and one set's
artifacts (``SetRender``). ``audience_pages`` decides which sets a change reaches and stores
what they render."""

from functools import cached_property

from flask import render_template
from sqlalchemy.orm import selectinload

from app.audiences.floor import floor_incidents
from app.audiences.rule import UpdateText, Viewer, visible
from app.core.text import clean_text
from app.extensions import db
from app.models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentComponent,
    State,
    Update,
)
from app.models.enums import CLOSED_STATES
from app.publishing import pages
from app.publishing.feeds import ATOM_TYPE, RSS_TYPE, render_feeds, site_feed_spec
from app.publishing.fragments import helpers
from app.publishing.site import HTML, Artifact, _json
from app.publishing.statuspage import RECENT, api_documents, changes_by_update
from app.publishing.uptime import uptime_for
from app.timefmt import zone

HOME = "/"
_OPEN = [s.value for s in State if s not in CLOSED_STATES]
MAX_EXTRAS = 5000  # incidents off the floor loaded per publish (newest first): a bounded read


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


def floor_with_more() -> list[Incident]:
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
