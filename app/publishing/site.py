"""Render every public artifact (pages, feeds, JSON, badge) once, as bytes."""

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from flask import current_app, g, render_template
from sqlalchemy.exc import SQLAlchemyError

from app.audiences.readers import floor_viewer
from app.audiences.rule import visible
from app.core.settings import page_settings
from app.core.text import clean_line, clean_text, printable
from app.extensions import db
from app.publishing import pages
from app.publishing.badge import render_badge
from app.publishing.calendar import (
    CALENDAR_TYPE,
    PAGE_CALENDAR,
    component_calendar,
    maintenance_calendar,
    one_window_calendar,
    window_calendar,
)
from app.publishing.feeds import (
    ATOM_TYPE,
    RSS_TYPE,
    component_feed_spec,
    render_feeds,
    site_feed_spec,
)
from app.publishing.fragments import helpers
from app.publishing.openapi import openapi_document
from app.publishing.statuspage import API_DOCUMENTS, api_documents
from app.publishing.uptime import uptime_for
from app.sqltypes import utcnow

HTML = "text/html; charset=utf-8"
JSON = "application/json"
SVG = "image/svg+xml"
EMPTY_FEED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Artifact:
    path: str
    content_type: str
    body: bytes


def base_url() -> str:
    """The page's public address without a trailing slash."""
    url = page_settings().public_url or current_app.config["PUBLIC_BASE_URL"]
    return clean_line(url).rstrip("/")


def _html(path, template, **context) -> Artifact:
    page = render_template(template, **helpers(), **context)
    return Artifact(path, HTML, clean_text(page).encode())


def month_path(base: str, month) -> str:
    """``/history/2026/11``: a month's page, the same bytes however much history follows."""
    return f"{base}/{month.year}/{month.month}"


def _history_index(base, components, tz, component=None) -> Artifact:
    """The recent months in full, then a link to every month."""
    months = pages.history_months(component, tz)
    shown = months[: pages.RECENT_MONTHS]
    return _html(
        base,
        "public/history.html",
        months=[(m, pages.month_incidents(m, component, tz)) for m in shown],
        archive=months,
        components=components,
        component=component,
        month=None,
    )


def _history_month(base, month, incidents, components, component=None) -> Artifact:
    return _html(
        month_path(base, month),
        "public/history.html",
        months=[(month, incidents)],
        archive=[],
        components=components,
        component=component,
        month=month,
    )


def _feeds(spec, incidents, base, now):
    for ext, body in render_feeds(spec, incidents, base_url=base, fallback=now).items():
        yield Artifact(spec.path + ext, ATOM_TYPE if ext == ".atom" else RSS_TYPE, body)


# What ``json.dumps(ensure_ascii=False)`` writes for a character ``clean_text`` would change:
# an escaped C0 control (``\b``, ``\f``, ``\r``, ``\u00XX``) or a raw C1 control, surrogate,
# noncharacter, or line or paragraph separator. A false alarm (a literal backslash-b in a text)
# only takes the slow path.
_UNCLEAN = re.compile(r"\\[bfr]|\\u00[01]|[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
# The same for ASCII text (most documents), whose only such character is DEL: a search ~25
# times faster than the one with the wide character class.
_UNCLEAN_ASCII = re.compile(r"\\[bfr]|\\u00[01]|\x7f")


def _unclean(text: str) -> bool:
    pattern = _UNCLEAN_ASCII if text.isascii() else _UNCLEAN
    return pattern.search(text) is not None


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _json(path, document) -> Artifact:
    """The document as compact JSON, every string cleaned (``printable``); walking the whole
    document to clean it is done only when its text shows something to clean."""
    text = _dumps(document)
    if _unclean(text):
        text = _dumps(printable(document))
    return Artifact(path, JSON, text.encode())


def _status_page(view, components, now, tz) -> Artifact:
    uptime = uptime_for(components, now=now, tz_name=tz)
    return _html("/", "public/index.html", view=view, uptime=uptime)


def render_status_page(*, now: datetime | None = None) -> bytes:
    """Only the status page, rendered now: what a site without publishing does per request."""
    now = now or utcnow()
    g.pop("crier_settings", None)
    tz = page_settings().timezone
    view = pages.page_view(now=now, tz_name=tz)
    return _status_page(view, pages.public_components(), now, tz).body


@dataclass(frozen=True)
class Failure:
    """A path that did not render this time; with ``pages``, its numbered pages too."""

    path: str
    cause: str
    pages: bool = False

    def covers(self, path: str) -> bool:
        """Whether ``path`` is this failure's (so it keeps its last good bytes)."""
        return path == self.path or (self.pages and path.startswith(self.path + "/"))


@dataclass
class Site:
    """What one render made: the artifacts, and the paths that failed (never all or nothing)."""

    artifacts: list[Artifact] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # paths a change removed (partial renders)

    def add(self, path: str, render, *, also=(), pages=False) -> None:
        """Run ``render`` (one artifact or a list); if it raises, log and record the failure."""
        try:
            made = render()
            made = [made] if isinstance(made, Artifact) else list(made)
        except SQLAlchemyError:
            raise  # the database, not this artifact: the whole publish must fail loudly
        except Exception as exc:  # one bad artifact must not stop the rest of the site
            cause = f"{type(exc).__name__}: {exc}"[:1000]
            current_app.logger.exception("publishing: %s failed to render: %s", path, cause)
            self.failures += [Failure(path, cause, pages), *(Failure(p, cause) for p in also)]
            return
        # A batch may reach one path twice (a sweep's incident pages and a change to one of
        # them): the last render of a path stands, and a path is stored once.
        fresh = {a.path for a in made}
        self.artifacts = [a for a in self.artifacts if a.path not in fresh] + made


def _api_documents(settings, base, now, **loaded):
    documents = api_documents(settings=settings, base_url=base, now=now, **loaded)
    return [_json(f"/api/v2/{name}", document) for name, document in documents.items()]


def group_by_month(incidents, tz) -> dict:
    """{first day of local month: [incidents]}, keeping the given (newest first) order."""
    grouped = {}
    for incident in incidents:
        grouped.setdefault(pages.month_of(incident.started_at, tz), []).append(incident)
    return grouped


class Render:
    """One render: the facts every artifact shares, and the ``Site`` it fills part by part.

    A full publish calls every part; a change calls only the parts it touches.
    """

    def __init__(self, now: datetime | None = None):
        self.now = now or utcnow()
        g.pop("crier_settings", None)  # settings may have changed since this context began
        self.settings = page_settings()
        self.base = base_url()
        self.tz = self.settings.timezone
        self.components = pages.public_components()
        # An empty feed's date must not be "now", or its bytes would change on every publish.
        self.quiet = self.settings.updated_at or EMPTY_FEED_DATE
        self.site = Site()

    @cached_property
    def floor(self):
        """An anonymous visitor as the audiences stand (read once, when an incident asks)."""
        return floor_viewer()

    def hot(self) -> None:
        """What time and component statuses move: the status page, badge and JSON documents."""
        now, tz, settings, base = self.now, self.tz, self.settings, self.base
        # The status page and the JSON documents show the same components and open incidents.
        loaded = {"components": self.components, "open_": pages.open_incidents()}
        view = pages.page_view(now=now, tz_name=tz, **loaded)
        self.site.add("/", lambda: _status_page(view, self.components, now, tz))
        badge = lambda: render_badge(view.indicator, view.description)  # noqa: E731
        self.site.add("/badge.svg", lambda: Artifact("/badge.svg", SVG, badge()))
        names = [f"/api/v2/{name}" for name in API_DOCUMENTS]
        self.site.add(
            names[0], lambda: _api_documents(settings, base, now, **loaded), also=names[1:]
        )
        openapi = "/api/v2/openapi.json"
        self.site.add(openapi, lambda: _json(openapi, openapi_document(base)))

    def incident_page(self, incident) -> None:
        """An incident's own page, or its removal when it is not public (any more)."""
        path = f"/incidents/{incident.public_id}"
        ics = window_calendar(incident) if incident.kind == "maintenance" else None
        if not visible(self.floor, incident):
            self.site.gone += [path, ics] if ics else [path]
            return
        if ics:
            name = self.settings.page_name
            self.site.add(
                ics,
                lambda: Artifact(
                    ics,
                    CALENDAR_TYPE,
                    one_window_calendar(incident, base_url=self.base, page_name=name),
                ),
            )
        self.site.add(
            path,
            lambda: _html(
                path,
                "public/incident.html",
                incident=incident,
                components=pages.affected_components(incident),
            ),
        )

    def month(self, when: datetime):
        """The first day of the page's local month of ``when``."""
        return pages.month_of(when, self.tz)

    def history(self, component=None, *, months=(), grouped=None, index=True) -> None:
        """The history index (recent months, links to all) and the given months' pages.

        ``grouped`` (every month's incidents, from a full render) saves a query per month.
        """
        base = f"/components/{component.slug}/history" if component else "/history"
        tz = self.tz
        if grouped is None:
            all_months = pages.history_months(component, tz)
            seen = {}  # the index's recent months are often the months this change renders

            def incidents_of(month):
                if month not in seen:
                    seen[month] = pages.month_incidents(month, component, tz)
                return seen[month]

        else:
            all_months = list(grouped)
            incidents_of = grouped.get
        recent = all_months[: pages.RECENT_MONTHS]
        render_index = lambda: _html(  # noqa: E731
            base,
            "public/history.html",
            months=[(m, incidents_of(m)) for m in recent],
            archive=all_months,
            components=self.components,
            component=component,
            month=None,
        )
        if index:
            self.site.add(base, render_index)
        for month in months:
            path = month_path(base, month)
            if month not in all_months:  # nothing (public) left that month: no page
                self.site.gone.append(path)
                continue
            self.site.add(
                path,
                lambda month=month: _history_month(
                    base, month, incidents_of(month), self.components, component
                ),
            )

    def feeds(self, component=None) -> None:
        """The Atom and RSS feeds of the whole page or of one component: the newest entries;
        and its maintenance calendar."""
        name = self.settings.page_name
        spec = component_feed_spec(name, component) if component else site_feed_spec(name)
        self.site.add(
            spec.path + ".atom",
            lambda: _feeds(spec, pages.feed_incidents(component), self.base, self.quiet),
            also=[spec.path + ".rss"],
        )
        ics = component_calendar(component) if component else PAGE_CALENDAR
        calendar = lambda: maintenance_calendar(  # noqa: E731
            component, now=self.now, base_url=self.base, page_name=name
        )
        self.site.add(ics, lambda: Artifact(ics, CALENDAR_TYPE, calendar()))


@contextmanager
def rendering(now: datetime | None = None):
    """A ``Render`` inside a request context on the page's public address (for url_for)."""
    render = Render(now)
    with current_app.test_request_context("/", base_url=render.base + "/"):
        yield render


def render_site(*, now: datetime | None = None) -> Site:
    """Every public artifact as of ``now``: what a full publish stores and the export writes."""
    with rendering(now) as r:
        r.hot()
        for incident in db_public_incidents():
            r.incident_page(incident)
        history = list(db.session.scalars(pages.history_query()))
        grouped = group_by_month(history, r.tz)
        r.history(months=list(grouped), grouped=grouped)
        r.feeds()
        mine = {c.id: [] for c in r.components}
        for incident in history:
            for link in incident.components:
                if link.component_id in mine:
                    mine[link.component_id].append(incident)
        for component in r.components:
            grouped = group_by_month(mine[component.id], r.tz)
            r.history(component, months=list(grouped), grouped=grouped)
            r.feeds(component)
    return r.site


def db_public_incidents():
    """Every public incident and maintenance, for their own pages."""
    return list(db.session.scalars(pages.public_incidents_query()))
