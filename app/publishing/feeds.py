"""Atom and RSS feeds of external updates: one entry per update, stable tag: ids, no "now"."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from app.core.text import clean_line, clean_text
from app.markdown import render_markdown
from app.models import Component, Incident, Update

MAX_ENTRIES = 100
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"


@lru_cache(maxsize=2048)
def external_html(text: str):
    """An update's external text as safe HTML. The same text gives the same HTML, so a
    publish renders only the texts it has not seen (a feed repeats its 100 entries each time).
    """
    return render_markdown(clean_text(text))


@dataclass(frozen=True)
class FeedSpec:
    title: str
    path: str  # without extension: "/history" or "/components/api/history"
    html_path: str
    author: str


def tag_uri(base_url: str, when: datetime, specific: str) -> str:
    """An RFC 4151 tag: URI; the date is the thing's own, so the id never changes."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{when:%Y-%m-%d}:{specific}"


def feed_entries(incidents: list[Incident]) -> list[tuple[Incident, Update]]:
    """(incident, update) for the newest external updates, newest first."""
    pairs = [(i, u) for i in incidents for u in i.updates if u.is_public]
    pairs.sort(key=lambda p: (p[1].posted_at, p[1].id), reverse=True)
    return pairs[:MAX_ENTRIES]


def _generator(spec: FeedSpec, base_url: str, kind: str, entries, fallback: datetime, bodies):
    fg = FeedGenerator()
    updated = entries[0][1].posted_at if entries else fallback
    fg.id(tag_uri(base_url, datetime(2026, 1, 1), spec.path))
    # XML refuses control characters: rows stored before the edge cleaned them are cleaned here.
    title = clean_line(spec.title)
    fg.title(title)
    fg.author({"name": clean_line(spec.author)})  # Atom wants an author; the page speaks
    fg.subtitle(f"Incident and maintenance updates: {title}")
    fg.link(href=f"{base_url}{spec.path}.{kind}", rel="self")
    fg.link(href=f"{base_url}{spec.html_path}", rel="alternate")
    fg.language("en")
    fg.generator("Crier")
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for incident, update in reversed(entries):  # feedgen prepends: add oldest first
        url = f"{base_url}/incidents/{incident.public_id}"
        entry = fg.add_entry()
        specific = f"/incidents/{incident.public_id}/{update.public_id}"
        uid = tag_uri(base_url, update.posted_at, specific)
        entry.id(uid)
        entry.guid(uid, permalink=False)
        state = update.state.value.replace("_", " ").capitalize()
        entry.title(f"{state}: {clean_line(incident.title)}")
        entry.link(href=url, rel="alternate")
        entry.content(bodies[update.id], type="html")
        entry.published(update.posted_at)
        entry.updated(update.posted_at)
    return fg


def render_feeds(spec: FeedSpec, incidents, *, base_url: str, fallback: datetime):
    """{".atom": bytes, ".rss": bytes} for the given incidents' external updates."""
    entries = feed_entries(incidents)
    # Each body is rendered once for both formats.
    bodies = {u.id: str(external_html(u.external_body)) for _, u in entries}
    atom = _generator(spec, base_url, "atom", entries, fallback, bodies).atom_str(pretty=True)
    rss = _generator(spec, base_url, "rss", entries, fallback, bodies).rss_str(pretty=True)
    return {".atom": atom, ".rss": rss}


def site_feed_spec(page_name: str) -> FeedSpec:
    """The whole page's feed at /history.atom|rss."""
    return FeedSpec(f"{page_name} status history", "/history", "/history", page_name)


def component_feed_spec(page_name: str, component: Component) -> FeedSpec:
    """A component's feed at /components/<slug>/history.atom|rss."""
    path = f"/components/{component.slug}/history"
    return FeedSpec(f"{page_name}: {component.name} status history", path, path, page_name)
