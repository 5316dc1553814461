"""Publish on write: render the public site once per change, store it, serve stored bytes.

Every web process keeps the artifacts in memory and asks the database at most once per
``PUBLISH_CHECK_SECONDS`` "what changed since generation N?" (one indexed query), so a change
made on any machine shows on every process within a second or two, and a read never renders.
"""

import hashlib
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.core.metrics import PUBLISH_SECONDS
from app.extensions import db
from app.models import PublishDirty, PublishedArtifact, PublishFailure, PublishState
from app.publishing.audience_pages import (
    Change,
    render_audience_site,
    render_sets,
    store_sets,
)
from app.publishing.changes import SWEEP, render_changes
from app.publishing.encodings import Encoded, encode
from app.publishing.mirror import copy_static, export_path, mirror_publish, write_encoded
from app.publishing.site import render_site, rendering
from app.sqltypes import utcnow


def etag_for(body: bytes) -> str:
    """A strong validator: the same bytes give the same ETag on every machine."""
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass(frozen=True)
class Claim:
    """A claimed generation, its random token and the token of the one before it (None for
    the first): a mirror that followed another history (a restored backup) finds out."""

    number: int
    token: str
    previous: str | None
    started: float = field(default_factory=time.monotonic)

    def record_duration(self) -> None:
        """Before the commit: how long this publish took, for /metrics on any machine."""
        db.session.execute(
            update(PublishState)
            .where(PublishState.id == 1)
            .values(duration_seconds=time.monotonic() - self.started)
        )


def _claim_generation() -> Claim:
    """Bump the counter; the row (or SQLite's write) lock serialises concurrent publishers."""
    token = secrets.token_hex(16)
    for _attempt in range(3):
        bumped = db.session.execute(
            update(PublishState)
            .where(PublishState.id == 1)
            .values(  # the right-hand sides read the row as it was: the old token moves down
                generation=PublishState.generation + 1,
                previous_token=PublishState.token,
                token=token,
                published_at=utcnow(),
            )
        ).rowcount
        if bumped:
            row = db.session.execute(
                select(PublishState.generation, PublishState.previous_token).where(
                    PublishState.id == 1
                )
            ).one()
            return Claim(row.generation, token, row.previous_token)
        db.session.add(PublishState(id=1, generation=1, token=token, published_at=utcnow()))
        try:
            db.session.flush()
        except IntegrityError:  # another publisher created the row first; bump it instead
            db.session.rollback()
            continue
        return Claim(1, token, None)
    raise RuntimeError("could not claim a publish generation")


def publish_site(*, now: datetime | None = None) -> int:
    """Render every public artifact and store those whose bytes changed. One commit.

    What ``flask publish`` and the export run. An artifact that fails to render keeps its last
    good bytes and is recorded as a ``PublishFailure`` (see ``publish_failures``); the rest of
    the site still publishes.
    """
    claim = _claim_generation()
    site = render_site(now=now)
    sets = render_sets(now=now)
    written = _store(site, claim.number, full=True)
    store_sets(sets, etag_for)
    claim.record_duration()
    db.session.commit()
    _after_commit(claim, written)
    return claim.number


def publish_changes(*, now: datetime | None = None) -> int | None:
    """Publish what the waiting changes touch (one bounded batch); None when nothing waits.

    The outbox rows are read, rendered and deleted in the publish's own transaction, so a
    crash leaves them for the next publish, and a burst of changes costs one publish.
    """
    if db.session.scalar(select(PublishDirty.id).limit(1)) is None:
        # Nothing waits: no generation claimed, so no write lock taken. Idle publishers that
        # claimed one each time they looked kept SQLite's write lock so busy that a lead's
        # commit could wait out its busy timeout behind them.
        db.session.rollback()
        return None
    claim = _claim_generation()  # publishers take turns from here on
    batch = render_changes(now=now)
    if not batch.rows:
        db.session.rollback()
        return None
    # Which sets of audiences see the change is read before the public side is stored: an
    # incident leaving the floor is still on it in the stored site, so every set hears of it.
    change = Change(batch.everything, tuple(batch.incidents), tuple(batch.components))
    sets = render_sets(change, now=now)
    written = _store(batch.site, claim.number, expected=batch.expected)
    store_sets(sets, etag_for)
    db.session.execute(delete(PublishDirty).where(PublishDirty.id.in_(batch.rows)))
    if batch.next_sweep:
        db.session.add(PublishDirty(kind=SWEEP, key=batch.next_sweep))
    claim.record_duration()
    db.session.commit()
    _after_commit(claim, written)
    return claim.number


def publish_for_the_clock(*, now: datetime | None = None) -> int:
    """Re-render what time alone moves (the status page's uptime bars and past days, the
    badge and JSON documents), nothing else. One commit."""
    claim = _claim_generation()
    with rendering(now) as render:
        render.hot()
    written = _store(render.site, claim.number)
    store_sets(render_sets(Change(clock=True), now=now), etag_for)
    claim.record_duration()
    db.session.commit()
    _after_commit(claim, written)
    return claim.number


def _after_commit(claim: Claim, written: tuple[dict, list]) -> None:
    """This process reads the new generation next; the live static mirror (PUBLISH_DIR), if
    set, writes what changed and removes what is gone."""
    PUBLISH_SECONDS.observe(time.monotonic() - claim.started)
    cache = current_app.extensions.get("crier_artifacts")  # cache.artifact_cache's
    if cache is not None:
        cache.invalidate()
    mirror_publish(claim.number, *written, token=claim.token, previous=claim.previous)


def _store(site, generation: int, *, full: bool = False, expected=None) -> tuple[dict, list]:
    """Store the rendered artifacts whose bytes changed under ``generation``; mark removed
    paths gone (with ``full``: every stored path not rendered; with ``expected``: every one
    the site no longer has; always: what the render said is gone). Returns what changed
    ({path: body}) and the paths now gone, for the mirror."""
    stamp = utcnow()
    paths = [a.path for a in site.artifacts] + site.gone
    columns = (
        PublishedArtifact.id,
        PublishedArtifact.path,
        PublishedArtifact.etag,
        PublishedArtifact.gone,
        PublishedArtifact.content_type,
    )
    query = select(*columns)
    if not full and expected is None:
        query = query.where(PublishedArtifact.path.in_(paths))
    existing = {row.path: row for row in db.session.execute(query)}
    changed, gone, updates, inserts = {}, [], [], []
    for artifact in site.artifacts:
        etag = etag_for(artifact.body)
        row = existing.pop(artifact.path, None)
        same = row is not None and row.etag == etag and row.content_type == artifact.content_type
        if same and not row.gone:
            continue
        encoded = encode(artifact.body, artifact.content_type)  # only what changed: once
        values = {
            "content_type": artifact.content_type,
            "body": artifact.body,
            "body_gzip": encoded.gzip,
            "body_br": encoded.br,
            "etag": etag,
            "gone": False,
            "generation": generation,
            "modified_at": stamp,
        }
        if row is None:
            inserts.append({"path": artifact.path, **values})
        else:
            updates.append({"id": row.id, **values})
        changed[artifact.path] = encoded
    if updates:  # one statement for all (by primary key, executemany)
        db.session.execute(update(PublishedArtifact), updates)
    if inserts:
        _insert_or_update(inserts)
    removed = set(site.gone)
    if full:
        removed |= set(existing)
    elif expected is not None:
        removed |= set(existing) - expected
    for path in removed:
        row = existing.get(path)
        if row is None or row.gone or any(f.covers(path) for f in site.failures):
            continue
        db.session.execute(
            update(PublishedArtifact)
            .where(PublishedArtifact.id == row.id)
            .values(
                gone=True,
                body=b"",
                body_gzip=None,
                body_br=None,
                generation=generation,
                modified_at=stamp,
            )
        )
        gone.append(path)
    _record_failures(site, generation, stamp, full=full)
    return changed, gone


def _insert_or_update(rows: list[dict]) -> None:
    """Store new paths with one ``INSERT … ON CONFLICT (path) DO UPDATE`` (SQLite and
    PostgreSQL both have it): a path stored meanwhile by anyone is overwritten with these
    bytes, never a failed publish."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.engine.dialect.name]
    statement = dialect.insert(PublishedArtifact)
    columns = [c for c in rows[0] if c != "path"]
    statement = statement.on_conflict_do_update(
        index_elements=[PublishedArtifact.path],
        set_={c: statement.excluded[c] for c in columns},
    )
    db.session.execute(statement, rows)


def _record_failures(site, generation: int, stamp: datetime, *, full: bool) -> None:
    """This publish's failures replace the stored ones for the paths it rendered (all paths,
    when ``full``); a path rendered again is cleared, the first failing time is kept."""
    failures = {f.path: f for f in site.failures}
    touched = None if full else {a.path for a in site.artifacts} | set(site.gone) | set(failures)
    query = select(PublishFailure)
    if touched is not None:
        query = query.where(PublishFailure.path.in_(touched))
    since = {row.path: row.failing_since for row in db.session.scalars(query)}
    clear = delete(PublishFailure)
    if touched is not None:
        clear = clear.where(PublishFailure.path.in_(touched))
    db.session.execute(clear)
    for failure in failures.values():
        db.session.add(
            PublishFailure(
                path=failure.path,
                cause=failure.cause,
                generation=generation,
                failing_since=since.get(failure.path, stamp),
            )
        )


def publish_failures() -> list[PublishFailure]:
    """The paths the last publish could not render, with the cause; empty when all is well."""
    return list(db.session.scalars(select(PublishFailure).order_by(PublishFailure.path)))


def current_generation() -> int:
    """The last committed publish generation (0 before the first publish)."""
    with db.engine.connect() as conn:
        query = select(PublishState.generation).where(PublishState.id == 1)
        return conn.execute(query).scalar() or 0


def export_site(out: Path, *, audience=None) -> int:
    """Publish, then replace ``out`` with the stored site and static assets; a file count.

    The site is built beside ``out`` and swapped in, so a web server never sees half a site,
    and a page that stopped being public (an incident made private) leaves no file behind.
    With ``audience`` (a ``PageAudience``), the site as that audience's viewers see it: the
    public artifacts, with the audience's own in their place and beside them.
    """
    publish_site()
    own = render_audience_site(audience) if audience is not None else {}
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    rows = db.session.scalars(select(PublishedArtifact).where(PublishedArtifact.gone.is_(False)))
    count = 0
    for row in rows:
        if row.path not in own:
            write_encoded(build, export_path(row.path), Encoded.of(row))
            count += 1
    for path, artifact in own.items():
        write_encoded(build, export_path(path), encode(artifact.body, artifact.content_type))
        count += 1
    copy_static(build)
    build.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    build.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return count
