"""The read side of publishing: one process's copy of the published artifacts.

Every web process keeps the artifacts in memory and asks the database at most once per
``PUBLISH_CHECK_SECONDS`` "what changed since generation N?" (one indexed query), so a change
made on any machine shows on every process within a second or two, and a read never renders.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.headers import security_headers
from app.models import PublishedArtifact
from app.publishing.publish import publish_site


@dataclass(frozen=True)
class Stored:
    content_type: str
    body: bytes
    etag: str
    modified_at: datetime
    headers: dict = field(default_factory=dict)  # security headers, computed once per artifact

    @classmethod
    def of(cls, content_type, body, etag, modified_at) -> "Stored":
        """A stored artifact with its security headers; public pages may be embedded."""
        mimetype = content_type.split(";")[0].strip()
        headers = security_headers(body, mimetype, framed=True)
        return cls(content_type, body, etag, modified_at, headers)


class ArtifactCache:
    """One process's copy of the published site, refreshed by generation."""

    def __init__(self, check_seconds: float):
        self.check_seconds = check_seconds
        self.items: dict[str, Stored] = {}
        self.generation = 0
        self.checked_at = float("-inf")
        self._lock = threading.Lock()

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
        return self.items.get(path)

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
        query = select(
            PublishedArtifact.path,
            PublishedArtifact.content_type,
            PublishedArtifact.body,
            PublishedArtifact.etag,
            PublishedArtifact.modified_at,
            PublishedArtifact.gone,
            PublishedArtifact.generation,
        ).where(PublishedArtifact.generation > self.generation)
        # Its own connection: a fresh snapshot, never the request's open transaction.
        with db.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows and self.generation == 0:
            publish_site()  # nothing was ever published on this database: do it once, now
            with db.engine.connect() as conn:
                rows = conn.execute(query).all()
        for row in rows:
            if row.gone:
                self.items.pop(row.path, None)
            else:
                self.items[row.path] = Stored.of(
                    row.content_type, row.body, row.etag, row.modified_at
                )
            self.generation = max(self.generation, row.generation)
        self.checked_at = time.monotonic()


def artifact_cache(app=None) -> ArtifactCache:
    """This app's (so this process's) artifact cache."""
    app = app or current_app
    cache = app.extensions.get("crier_artifacts")
    if cache is None:
        # 0.5 s: a publish under load takes ~1 s on 2 CPUs, and an update must show within 2 s
        # (tests/test_storm.py); the check is one indexed query, twice a second per process.
        cache = app.extensions.setdefault(
            "crier_artifacts", ArtifactCache(app.config.get("PUBLISH_CHECK_SECONDS", 0.5))
        )
    return cache
