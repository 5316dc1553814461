"""Atom and RSS feeds of external updates: one entry per update, stable tag: ids, no "now"."""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from app.audiences.rule import PUBLIC, UpdateText, visible
from app.core.settings import page_settings
from app.core.text import clean_line, clean_text
from app.markdown import render_markdown
from app.models import Component, Incident, Update
from app.publishing.kept import Kept
from app.timefmt import mark_times

MAX_ENTRIES = 100
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"


def external_html(text: str):
    """An update's external text as safe HTML, its written times marked up as the page's own
    (``<time datetime>``: the reader's zone with JS, the page's as written without)."""
    return _external_html(text, page_settings().timezone)


@lru_cache(maxsize=2048)
def _external_html(text: str, tz: str):
    """The same text in the same zone gives the same HTML, so a publish renders only the
    texts it has not seen (a feed repeats its 100 entries each time)."""
    return mark_times(render_markdown(clean_text(text)), tz)


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


def feed_entries(incidents: list[Incident], reads=None) -> list[tuple[Incident, Update]]:
    """(incident, update) for the newest external updates (those ``reads(update)`` says the
    reader reads: the public's unless told), newest first."""
    reads = reads or (lambda u: visible(PUBLIC, UpdateText(u)))
    pairs = [(i, u) for i in incidents for u in i.updates if reads(u)]
    pairs.sort(key=lambda p: (p[1].posted_at, p[1].id), reverse=True)
    return pairs[:MAX_ENTRIES]


def _generator(spec: FeedSpec, base_url: str, kind: str, entries, updated: datetime, bodies):
    fg = FeedGenerator()
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


def render_feeds(spec: FeedSpec, incidents, *, base_url: str, fallback: datetime, reads=None):
    """{".atom": bytes, ".rss": bytes} for the given incidents' external updates (those
    ``reads(update)`` allows: the public's unless told)."""
    entries = feed_entries(incidents, reads)
    updated = entries[0][1].posted_at if entries else fallback
    # Each body is rendered once for both formats.
    bodies = {u.id: str(external_html(u.external_body)) for _, u in entries}
    return {
        f".{kind}": _feed(spec, base_url, kind, entries, updated, bodies)
        for kind in ("atom", "rss")
    }


_entries = Kept(8192)  # entries' XML (under a kilobyte each, most)
_CLOSE = {"atom": b"</feed>\n", "rss": b"  </channel>\n</rss>\n"}
# Text and attributes are escaped, so "<entry>"/"<item>" only ever open an entry.
_ENTRY = {
    "atom": re.compile(rb"  <entry>\n.*?</entry>\n", re.DOTALL),
    "rss": re.compile(rb"    <item>\n.*?</item>\n", re.DOTALL),
}


def _xml(spec, base_url, kind, entries, updated, bodies) -> bytes:
    fg = _generator(spec, base_url, kind, entries, updated, bodies)
    return fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)


def _feed(spec, base_url, kind, entries, updated, bodies) -> bytes:
    """feedgen's bytes for the feed, with each entry's XML made once for the same facts: a
    feed re-rendered for one update makes one entry, not a hundred. An entry's XML depends
    only on the key's facts (its place in the tree is the same in every feed of a kind)."""
    keys = [
        (kind, base_url, i.public_id, i.title, u.public_id, u.state, u.posted_at, bodies[u.id])
        for i, u in entries
    ]
    xml = {key: _entries.get(key) for key in keys}
    missing = [(key, entry) for key, entry in zip(keys, entries, strict=True) if xml[key] is None]
    if missing:
        made = _xml(spec, base_url, kind, [entry for _, entry in missing], updated, bodies)
        found = _ENTRY[kind].findall(made)
        if len(found) != len(missing):  # not feedgen's usual layout: no shortcut
            return _xml(spec, base_url, kind, entries, updated, bodies)
        for (key, _), entry_xml in zip(missing, found, strict=True):
            xml[key] = _entries.put(key, entry_xml)
    head = _xml(spec, base_url, kind, [], updated, bodies)
    close = _CLOSE[kind]
    if not head.endswith(close):
        return _xml(spec, base_url, kind, entries, updated, bodies)
    return b"".join([head[: -len(close)], *(xml[key] for key in keys), close])


def site_feed_spec(page_name: str) -> FeedSpec:
    """The whole page's feed at /history.atom|rss."""
    return FeedSpec(f"{page_name} status history", "/history", "/history", page_name)


def component_feed_spec(page_name: str, component: Component) -> FeedSpec:
    """A component's feed at /components/<slug>/history.atom|rss."""
    path = f"/components/{component.slug}/history"
    return FeedSpec(f"{page_name}: {component.name} status history", path, path, page_name)
