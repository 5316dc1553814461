"""Render every public artifact (pages, feeds, JSON, badge) once, as bytes."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app, g, render_template
from sqlalchemy.exc import SQLAlchemyError

from app.core.settings import page_settings
from app.core.text import clean_line, clean_text, printable
from app.extensions import db
from app.markdown import render_markdown
from app.publishing import pages
from app.publishing.badge import render_badge
from app.publishing.feeds import (
    ATOM_TYPE,
    RSS_TYPE,
    component_feed_spec,
    render_feeds,
    site_feed_spec,
)
from app.publishing.openapi import openapi_document
from app.publishing.status import STATUS_LABELS, public_updates
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


def _helpers():
    return {
        # Rows stored before text was cleaned at the edge may hold control characters.
        "markdown": lambda text: render_markdown(clean_text(text)),
        "public_updates": public_updates,
        "affected_components": pages.affected_components,
        "duration_seconds": pages.duration_seconds,
        "status_label": lambda status: STATUS_LABELS[status],
        "long_date": lambda day: f"{day.day} {day:%B %Y}",
    }


def _html(path, template, **context) -> Artifact:
    page = render_template(template, **_helpers(), **context)
    return Artifact(path, HTML, clean_text(page).encode())


def _history(path, components, incidents, tz, component=None):
    pages_ = pages.paginate(incidents)
    for number, chunk in enumerate(pages_, start=1):
        yield _html(
            path if number == 1 else f"{path}/{number}",
            "public/history.html",
            months=pages.by_month(chunk, tz),
            components=components,
            component=component,
            pages=len(pages_),
            number=number,
        )


def _feeds(spec, incidents, base, now):
    for ext, body in render_feeds(spec, incidents, base_url=base, fallback=now).items():
        yield Artifact(spec.path + ext, ATOM_TYPE if ext == ".atom" else RSS_TYPE, body)


def _json(path, document) -> Artifact:
    body = json.dumps(printable(document), ensure_ascii=False, separators=(",", ":")).encode()
    return Artifact(path, JSON, body)


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
        self.artifacts += made


def _api_documents(settings, base, now):
    documents = api_documents(settings=settings, base_url=base, now=now)
    return [_json(f"/api/v2/{name}", document) for name, document in documents.items()]


def render_site(*, now: datetime | None = None) -> Site:
    """Every public artifact as of ``now``: what publishing stores and the export writes."""
    now = now or utcnow()
    g.pop("crier_settings", None)  # settings may have changed since this context began
    settings = page_settings()
    base = base_url()
    tz = settings.timezone
    site = Site()
    with current_app.test_request_context("/", base_url=base + "/"):
        view = pages.page_view(now=now, tz_name=tz)
        components = pages.public_components()
        site.add("/", lambda: _status_page(view, components, now, tz))
        history = pages.history_incidents()
        for incident in db_public_incidents():
            site.add(
                f"/incidents/{incident.public_id}",
                lambda incident=incident: _html(
                    f"/incidents/{incident.public_id}",
                    "public/incident.html",
                    incident=incident,
                    components=pages.affected_components(incident),
                ),
            )
        site.add("/history", lambda: _history("/history", components, history, tz), pages=True)
        # An empty feed's date must not be "now", or its bytes would change on every publish.
        quiet = settings.updated_at or EMPTY_FEED_DATE
        announced = pages.history_incidents(include_scheduled=True)
        spec = site_feed_spec(settings.page_name)
        site.add(
            spec.path + ".atom",
            lambda: _feeds(spec, announced, base, quiet),
            also=[spec.path + ".rss"],
        )
        for component in components:
            path = f"/components/{component.slug}/history"
            site.add(
                path,
                lambda path=path, component=component: _history(
                    path, components, pages.history_incidents(component), tz, component
                ),
                pages=True,
            )
            mine = pages.history_incidents(component, include_scheduled=True)
            spec = component_feed_spec(settings.page_name, component)
            site.add(
                spec.path + ".atom",
                lambda spec=spec, mine=mine: _feeds(spec, mine, base, quiet),
                also=[spec.path + ".rss"],
            )
        badge = lambda: render_badge(view.indicator, view.description)  # noqa: E731
        site.add("/badge.svg", lambda: Artifact("/badge.svg", SVG, badge()))
        names = [f"/api/v2/{name}" for name in API_DOCUMENTS]
        site.add(names[0], lambda: _api_documents(settings, base, now), also=names[1:])
        site.add(
            "/api/v2/openapi.json", lambda: _json("/api/v2/openapi.json", openapi_document(base))
        )
    return site


def db_public_incidents():
    """Every public incident and maintenance, for their own pages."""
    return list(db.session.scalars(pages.public_incidents_query()))
