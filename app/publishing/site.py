"""Render every public artifact (pages, feeds, JSON, badge) once, as bytes."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, g, render_template

from app.core.settings import page_settings
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
from app.publishing.statuspage import api_documents
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
    return (page_settings().public_url or current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def _helpers():
    return {
        "markdown": render_markdown,
        "public_updates": public_updates,
        "affected_components": pages.affected_components,
        "duration_seconds": pages.duration_seconds,
        "status_label": lambda status: STATUS_LABELS[status],
        "long_date": lambda day: f"{day.day} {day:%B %Y}",
    }


def _html(path, template, **context) -> Artifact:
    return Artifact(path, HTML, render_template(template, **_helpers(), **context).encode())


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
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
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


def render_site(*, now: datetime | None = None) -> list[Artifact]:
    """Every public artifact as of ``now``: what publishing stores and the export writes."""
    now = now or utcnow()
    g.pop("crier_settings", None)  # settings may have changed since this context began
    settings = page_settings()
    base = base_url()
    tz = settings.timezone
    with current_app.test_request_context("/", base_url=base + "/"):
        view = pages.page_view(now=now, tz_name=tz)
        components = pages.public_components()
        out = [_status_page(view, components, now, tz)]
        history = pages.history_incidents()
        for incident in db_public_incidents():
            out.append(
                _html(
                    f"/incidents/{incident.public_id}",
                    "public/incident.html",
                    incident=incident,
                    components=pages.affected_components(incident),
                )
            )
        out += _history("/history", components, history, tz)
        # An empty feed's date must not be "now", or its bytes would change on every publish.
        quiet = settings.updated_at or EMPTY_FEED_DATE
        announced = pages.history_incidents(include_scheduled=True)
        out += _feeds(site_feed_spec(settings.page_name), announced, base, quiet)
        for component in components:
            path = f"/components/{component.slug}/history"
            out += _history(path, components, pages.history_incidents(component), tz, component)
            mine = pages.history_incidents(component, include_scheduled=True)
            out += _feeds(component_feed_spec(settings.page_name, component), mine, base, quiet)
        out.append(Artifact("/badge.svg", SVG, render_badge(view.indicator, view.description)))
        for name, document in api_documents(settings=settings, base_url=base, now=now).items():
            out.append(_json(f"/api/v2/{name}", document))
        out.append(_json("/api/v2/openapi.json", openapi_document(base)))
    return out


def db_public_incidents():
    """Every public incident and maintenance, for their own pages."""
    return list(db.session.scalars(pages.public_incidents_query()))
