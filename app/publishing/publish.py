"""Publish on write: render the public site once per change, store it, serve stored bytes.

This is the write side; web processes read the stored artifacts through ``cache.py``.
"""

import hashlib
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import PublishedArtifact, PublishFailure, PublishState
from app.publishing.mirror import export_path, mirror_publish
from app.publishing.site import render_site
from app.sqltypes import utcnow


def etag_for(body: bytes) -> str:
    """A strong validator: the same bytes give the same ETag on every machine."""
    return hashlib.sha256(body).hexdigest()[:32]


def _claim_generation() -> int:
    """Bump the counter; the row (or SQLite's write) lock serialises concurrent publishers."""
    for _attempt in range(3):
        bumped = db.session.execute(
            update(PublishState)
            .where(PublishState.id == 1)
            .values(generation=PublishState.generation + 1, published_at=utcnow())
        ).rowcount
        if bumped:
            return db.session.scalar(select(PublishState.generation).where(PublishState.id == 1))
        db.session.add(PublishState(id=1, generation=1, published_at=utcnow()))
        try:
            db.session.flush()
        except IntegrityError:  # another publisher created the row first; bump it instead
            db.session.rollback()
            continue
        return 1
    raise RuntimeError("could not claim a publish generation")


def publish_site(*, now: datetime | None = None) -> int:
    """Render every public artifact and store those whose bytes changed. One commit.

    An artifact that fails to render keeps its last good bytes and is recorded as a
    ``PublishFailure`` (see ``publish_failures``); the rest of the site still publishes.
    """
    generation = _claim_generation()
    site = render_site(now=now)
    artifacts = site.artifacts
    stamp = utcnow()
    existing = {
        row.path: row
        for row in db.session.execute(
            select(
                PublishedArtifact.id,
                PublishedArtifact.path,
                PublishedArtifact.etag,
                PublishedArtifact.gone,
                PublishedArtifact.content_type,
            )
        )
    }
    changed, gone = {}, []  # what the static mirror (mirror.py) must write and remove
    for artifact in artifacts:
        etag = etag_for(artifact.body)
        row = existing.pop(artifact.path, None)
        values = {
            "content_type": artifact.content_type,
            "body": artifact.body,
            "etag": etag,
            "gone": False,
            "generation": generation,
            "modified_at": stamp,
        }
        if row is None:
            db.session.add(PublishedArtifact(path=artifact.path, **values))
            changed[artifact.path] = artifact.body
        elif row.etag != etag or row.gone or row.content_type != artifact.content_type:
            db.session.execute(
                update(PublishedArtifact).where(PublishedArtifact.id == row.id).values(**values)
            )
            changed[artifact.path] = artifact.body
    for row in existing.values():
        if not row.gone and not any(f.covers(row.path) for f in site.failures):
            db.session.execute(
                update(PublishedArtifact)
                .where(PublishedArtifact.id == row.id)
                .values(gone=True, body=b"", generation=generation, modified_at=stamp)
            )
            gone.append(row.path)
    _record_failures(site.failures, generation, stamp)
    db.session.commit()
    _invalidate_read_cache()
    mirror_publish(generation, changed, gone)  # the live static mirror (PUBLISH_DIR), if set
    return generation


def _invalidate_read_cache() -> None:
    """Make this process's read cache (``cache.artifact_cache``) ask the database next read."""
    cache = current_app.extensions.get("crier_artifacts")
    if cache is not None:
        cache.invalidate()


def _record_failures(failures, generation: int, stamp: datetime) -> None:
    """Replace the stored failures with this publish's: a path rendered again is cleared."""
    since = {row.path: row.failing_since for row in db.session.scalars(select(PublishFailure))}
    db.session.execute(delete(PublishFailure))
    for failure in {f.path: f for f in failures}.values():
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


def publish_if_stale(*, seen: int) -> int | None:
    """Publish, unless a publish that must have seen the change (read at ``seen``) has run.

    Publish seen+1 may have been under way, reading older data, when ``seen`` was read; seen+2
    claimed its generation only after seen+1 committed, so it read the change. A burst of
    changes then costs two publishes, not one each.
    """
    if current_generation() >= seen + 2:
        return None
    return publish_site()


def export_site(out: Path) -> int:
    """Publish, then replace ``out`` with the stored site and static assets; a file count.

    The site is built beside ``out`` and swapped in, so a web server never sees half a site,
    and a page that stopped being public (an incident made private) leaves no file behind.
    """
    publish_site()
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    rows = db.session.scalars(select(PublishedArtifact).where(PublishedArtifact.gone.is_(False)))
    count = 0
    for row in rows:
        target = build / export_path(row.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(row.body)
        count += 1
    shutil.copytree(current_app.static_folder, build / "static")
    build.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    build.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return count
