"""The read side of audience artifacts: every set's stored artifacts in this process's memory,
read again at most once per ``PUBLISH_CHECK_SECONDS`` (their ETags first, then the bodies of
those that changed), so a viewer's read costs no query.

Each is served as the public artifacts are (``cache.Stored``: the encoding the request
prefers, strong ETags, 304s), but ``Cache-Control: private, no-cache`` and ``Vary: Cookie``:
no shared cache keeps it, and it is only ever found under the viewer's own set's key.
"""

import threading
import time

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import AudienceArtifact
from app.publishing.cache import Stored

PRIVATE = "private, no-cache"


def _private(stored: Stored) -> Stored:
    """``stored`` with ``Vary: Cookie`` too (the public variants vary by encoding only)."""
    for variant in stored.variants.values():
        for headers in (variant.ok, variant.not_modified):
            for n, (name, value) in enumerate(headers):
                if name == "Vary":
                    headers[n] = (name, f"{value}, Cookie")
                    break
            else:
                headers.append(("Vary", "Cookie"))
    return stored


class AudienceArtifacts:
    """Every set's artifacts in this process: key → path → ``Stored``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sets: dict[str, dict[str, Stored]] = {}
        self._etags: dict[tuple[str, str], str] = {}
        self._read_at = float("-inf")

    def get(self, key: str, path: str) -> Stored | None:
        """The set's own artifact at ``path``, or None (then the public one is the set's)."""
        if not key:
            return None
        interval = float(current_app.config["PUBLISH_CHECK_SECONDS"])
        if self.due(interval):
            with self._lock:
                if self.due(interval):
                    self._read()
                    self._read_at = time.monotonic()
        return self.lookup(key, path)

    def due(self, interval: float) -> bool:
        """Whether the next ``get`` reads the database (else ``lookup`` answers alike)."""
        return time.monotonic() - self._read_at >= interval

    def lookup(self, key: str, path: str) -> Stored | None:
        """As ``get``, from what this process last read (no app context needed)."""
        found = self._sets.get(key)
        return found.get(path) if found else None

    def _read(self) -> None:
        query = select(AudienceArtifact.key, AudienceArtifact.path, AudienceArtifact.etag)
        etags = {(k, p): e for k, p, e in db.session.execute(query)}
        changed = {kp for kp, etag in etags.items() if self._etags.get(kp) != etag}
        sets: dict[str, dict[str, Stored]] = {}
        for (key, path), etag in etags.items():
            if self._etags.get((key, path)) == etag:
                sets.setdefault(key, {})[path] = self._sets[key][path]
        if changed:
            columns = (
                AudienceArtifact.key,
                AudienceArtifact.path,
                AudienceArtifact.content_type,
                AudienceArtifact.body,
                AudienceArtifact.body_gzip,
                AudienceArtifact.body_br,
                AudienceArtifact.etag,
                AudienceArtifact.updated_at,
            )
            wanted = {key for key, _ in changed}
            for row in db.session.execute(select(*columns).where(AudienceArtifact.key.in_(wanted))):
                if (row.key, row.path) not in changed or etags.get((row.key, row.path)) != row.etag:
                    continue
                encoded = {"gzip": row.body_gzip, "br": row.body_br}
                sets.setdefault(row.key, {})[row.path] = _private(
                    Stored.of(
                        row.path,
                        row.content_type,
                        row.body,
                        row.etag,
                        row.updated_at,
                        PRIVATE,
                        {coding: data for coding, data in encoded.items() if data},
                    )
                )
        self._sets = sets
        self._etags = {
            (key, path): etags[(key, path)] for key, paths in sets.items() for path in paths
        }

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


audience_artifacts = AudienceArtifacts()
