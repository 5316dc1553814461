"""The read side of publishing: one process's copy of the published artifacts, in bounded memory.

Every web process asks the database at most once per ``PUBLISH_CHECK_SECONDS`` "what changed
since generation N?" (one indexed query), so a change made on any machine shows on every process
within a second or two, and a read never renders. Hot artifacts (the status page, the API,
feeds, the badge, the first history pages) stay in memory. Cold ones (incident pages, older
history pages) are read from the database on demand into an LRU of ``ARTIFACT_CACHE_BYTES``, so
memory does not grow with the archive; the change poll drops a cold copy that changed. With the
database away the hot pages are still served; a cold page not in memory is a 503.
"""

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import http_date

from app.extensions import db
from app.headers import security_headers
from app.models import PublishedArtifact
from app.publishing.encodings import IDENTITY, SUFFIX, compressible, preferences
from app.publishing.publish import publish_site

API_PREFIX = "/api/v2/"
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024
ENTRY_OVERHEAD = 4096  # three encodings' headers, objects and the LRU slot, per cold artifact
_OLD_PAGE = re.compile(r"/history/\d+(/\d+)?$")  # numbered pages and months
_BODY_BATCH = 500  # paths per IN (...) when loading hot bodies: under every database's limit
_META = (
    PublishedArtifact.path,
    PublishedArtifact.gone,
    PublishedArtifact.generation,
)
_FULL = (
    PublishedArtifact.path,
    PublishedArtifact.content_type,
    PublishedArtifact.body,
    PublishedArtifact.body_gzip,
    PublishedArtifact.body_br,
    PublishedArtifact.etag,
    PublishedArtifact.modified_at,
    PublishedArtifact.generation,
)


def is_hot(path: str) -> bool:
    """Whether every web process keeps ``path`` in memory: all but incident pages and history
    months (or numbered pages), the two kinds that grow with the archive."""
    return not (path.startswith("/incidents/") or _OLD_PAGE.search(path))


@dataclass(frozen=True, slots=True)
class Variant:
    """One encoding of an artifact: its bytes, its own strong ETag and every header."""

    body: bytes
    etag: str  # unquoted, as werkzeug compares it
    quoted_etag: str  # as a client sends it back in If-None-Match
    ok: list  # a 200's headers, in order, without Date
    not_modified: list  # a 304's: no Content-* or Last-Modified, as werkzeug sends


@dataclass(frozen=True, slots=True)
class Stored:
    """One artifact ready to serve in each encoding it has, headers built once."""

    last_modified: datetime  # UTC, whole seconds, as Last-Modified says
    variants: dict[str, Variant]  # identity always; gzip and br when stored
    size: int  # the bytes of every variant, as the cold cache counts them

    @property
    def identity(self) -> Variant:
        return self.variants[IDENTITY]

    def variant(self, accept_encoding: str | None) -> Variant | None:
        """The variant ``accept_encoding`` prefers among those stored; None if none fits."""
        for coding in preferences(accept_encoding):
            found = self.variants.get(coding)
            if found is not None:
                return found
        return None

    @classmethod
    def of(
        cls, path, content_type, body, etag, modified_at, cache_control, encoded=None
    ) -> "Stored":
        """A stored artifact with its headers; public pages may be embedded (framed).
        ``encoded`` maps a coding (gzip, br) to its bytes; each gets the ETag ``etag-gz``…"""
        mimetype = content_type.split(";")[0].strip()
        modified = modified_at.replace(microsecond=0, tzinfo=modified_at.tzinfo or UTC)
        shared = [("Cache-Control", cache_control)]
        if path.startswith(API_PREFIX):
            shared.append(("Access-Control-Allow-Origin", "*"))
        shared += security_headers(body, mimetype, framed=True).items()
        vary = [("Vary", "Accept-Encoding")] if compressible(mimetype) else []
        variants = {}
        for coding, data in [(IDENTITY, body), *(encoded or {}).items()]:
            tag = etag if coding == IDENTITY else f"{etag}-{SUFFIX[coding]}"
            quoted = f'"{tag}"'
            coded = [] if coding == IDENTITY else [("Content-Encoding", coding)]
            ok = [
                ("Content-Type", content_type),
                ("Content-Length", str(len(data))),
                ("ETag", quoted),
                ("Last-Modified", http_date(modified)),
                *shared,
                *coded,
                *vary,
            ]
            variants[coding] = Variant(data, tag, quoted, ok, [("ETag", quoted), *shared, *vary])
        size = sum(len(v.body) for v in variants.values())
        return cls(modified, variants, size)


class ColdArtifacts:
    """Cold artifacts read on demand; the least recently read go first past ``max_bytes``."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple[Stored, int]] = OrderedDict()

    def get(self, path: str) -> Stored | None:
        entry = self.entries.get(path)
        if entry is None:
            return None
        self.entries.move_to_end(path)
        return entry[0]

    def put(self, path: str, stored: Stored, generation: int) -> None:
        cost = stored.size + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        self.drop(path)
        self.entries[path] = (stored, generation)
        self.size += cost
        while self.size > self.max_bytes:
            _path, (old, _gen) = self.entries.popitem(last=False)
            self.size -= old.size + ENTRY_OVERHEAD

    def drop(self, path: str, *, older_than: int | None = None) -> None:
        entry = self.entries.get(path)
        if entry is not None and (older_than is None or entry[1] < older_than):
            del self.entries[path]
            self.size -= entry[0].size + ENTRY_OVERHEAD


class ArtifactCache:
    """One process's copy of the published site, refreshed by generation."""

    def __init__(
        self, check_seconds: float, max_bytes: int = DEFAULT_CACHE_BYTES, cache_control=""
    ):
        self.check_seconds = check_seconds
        self.cache_control = cache_control
        self.items: dict[str, Stored] = {}  # hot artifacts, always in memory
        self.cold = ColdArtifacts(max_bytes)
        self.known: dict[str, int] = {}  # every published cold path -> its last generation
        self.generation = 0
        self.checked_at = float("-inf")
        self.engine = None
        self._lock = threading.Lock()
        self._cold_lock = threading.Lock()  # ``known`` and ``cold`` change together under it

    def invalidate(self) -> None:
        """Make the next read ask the database (this process just published)."""
        self.checked_at = float("-inf")

    @property
    def due(self) -> bool:
        """Whether the next read should ask the database what changed."""
        return time.monotonic() - self.checked_at >= self.check_seconds

    def get(self, path: str) -> Stored | None:
        """The stored artifact at ``path``, refreshing at most once per check interval."""
        if self.due:
            with self._lock:
                if self.due:
                    self._refresh_or_keep()
        return self.lookup(path)

    def lookup(self, path: str) -> Stored | None:
        """The artifact at ``path`` as of the last refresh; a cold one may be read from the
        database (``SQLAlchemyError`` if it cannot be). Needs no app context."""
        stored = self.items.get(path)
        if stored is not None or path not in self.known:
            return stored
        with self._cold_lock:
            stored = self.cold.get(path)
        return stored if stored is not None else self._read_cold(path)

    def _read_cold(self, path: str) -> Stored | None:
        query = select(*_FULL).where(
            PublishedArtifact.path == path, PublishedArtifact.gone.is_(False)
        )
        with self.engine.connect() as conn:  # unreachable: app.errors answers 503
            row = conn.execute(query).first()
        if row is None:
            return None
        stored = self._stored(row)
        with self._cold_lock:
            # A refresh that saw a newer version while we read must not be undone.
            if row.generation >= self.known.get(path, row.generation + 1):
                self.cold.put(path, stored, row.generation)
        return stored

    def _refresh_or_keep(self) -> None:
        try:
            self._refresh()
        except SQLAlchemyError:
            if not self.items:
                raise
            # The database is away: keep serving the last published site, and ask again later.
            current_app.logger.warning("publishing: database unreachable, serving the last copy")
            self.checked_at = time.monotonic()

    def _refresh(self) -> None:
        self.engine = db.engine
        query = select(*_META).where(PublishedArtifact.generation > self.generation)
        # Its own connection: a fresh snapshot, never the request's open transaction.
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows and self.generation == 0:
            publish_site()  # nothing was ever published on this database: do it once, now
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        hot = [row.path for row in rows if not row.gone and is_hot(row.path)]
        bodies = self._hot_bodies(hot) if hot else {}
        for row in rows:
            if is_hot(row.path):
                stored = bodies.get(row.path)
                if stored is None:
                    self.items.pop(row.path, None)
                else:
                    self.items[row.path] = stored
            else:
                with self._cold_lock:
                    if row.gone:
                        self.known.pop(row.path, None)
                        self.cold.drop(row.path)
                    else:
                        self.known[row.path] = row.generation
                        self.cold.drop(row.path, older_than=row.generation)
            self.generation = max(self.generation, row.generation)
        self.checked_at = time.monotonic()

    def _stored(self, row) -> Stored:
        encoded = {"gzip": row.body_gzip, "br": row.body_br}
        return Stored.of(
            row.path,
            row.content_type,
            row.body,
            row.etag,
            row.modified_at,
            self.cache_control,
            {coding: data for coding, data in encoded.items() if data},  # old rows: identity
        )

    def _hot_bodies(self, paths: list[str]) -> dict[str, Stored]:
        """The hot artifacts at ``paths``, bodies and validators read together (a publish
        between the two queries only makes them newer; the next refresh sees it)."""
        found = {}
        with self.engine.connect() as conn:
            for start in range(0, len(paths), _BODY_BATCH):
                query = select(*_FULL).where(
                    PublishedArtifact.path.in_(paths[start : start + _BODY_BATCH]),
                    PublishedArtifact.gone.is_(False),
                )
                for row in conn.execute(query):
                    found[row.path] = self._stored(row)
        return found


def artifact_cache(app=None) -> ArtifactCache:
    """This app's (so this process's) artifact cache."""
    app = app or current_app
    cache = app.extensions.get("crier_artifacts")
    if cache is None:
        # 0.1 s: an update should show within a second even at 10,000 past incidents while
        # the site is read 10,000 times a second (bench/storm.py --archive); the check is one
        # indexed query that finds nothing new, ten times a second per process, and only
        # while requests come in.
        cache = app.extensions.setdefault(
            "crier_artifacts",
            ArtifactCache(
                app.config.get("PUBLISH_CHECK_SECONDS", 0.1),
                app.config.get("ARTIFACT_CACHE_BYTES", DEFAULT_CACHE_BYTES),
                f"public, max-age={app.config.get('PUBLIC_MAX_AGE', 10)}, "
                f"stale-while-revalidate={app.config.get('PUBLIC_STALE_WHILE_REVALIDATE', 60)}",
            ),
        )
    return cache
