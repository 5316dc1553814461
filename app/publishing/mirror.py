"""A live static mirror of the published site in ``PUBLISH_DIR``, for nginx or a CDN origin.

Every publish writes the files that changed and removes the ones that are gone, with the same
path-to-file mapping as ``flask publish --out`` (``export_path``), so the mirror and an export
hold the same files: each with its stored ``name.gz`` and ``name.br`` beside it (for nginx's
``gzip_static``/``brotli_static``), a sibling that no longer applies removed. Each file is
written to a temporary file in its own folder and renamed over the old one, so a web server
never reads half a file. A marker beside the folder
(``.<name>.mirror``) says which generation the folder holds, with that generation's random
token: a publish that follows it (the number before its own, and that number's token) applies
its changes; any other (the first, after a gap, or after the database was restored from a
backup, whose history the mirror's token is not part of) copies the whole site. A mirror that fails
is logged and retried whole by the next publish; it never fails the publish.
"""

import fcntl
import mimetypes
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import PublishedArtifact, PublishState
from app.publishing.encodings import Encoded, encode

STATIC = "static"


def export_path(path: str) -> str:
    """The file a URL path is written to: pages as <path>/index.html, the rest as named."""
    if path == "/":
        return "index.html"
    if path.endswith((".json", ".atom", ".rss", ".svg", ".ics")):
        return path.lstrip("/")
    return f"{path.lstrip('/')}/index.html"


def mirror_publish(
    generation: int,
    changed: dict[str, Encoded],
    gone: list[str],
    *,
    token: str | None = None,
    previous: str | None = None,
) -> None:
    """Bring ``PUBLISH_DIR`` (if set) to ``generation``, given what that publish changed;
    ``token`` is the generation's, ``previous`` the one before it's (see ``Claim``)."""
    setting = current_app.config.get("PUBLISH_DIR")
    if not setting:
        return
    root = Path(setting).resolve()
    try:
        with _marker(root) as marker:
            held, held_token = _read_marker(marker.read())
            if held >= generation and _still_ours(held, held_token):
                return  # a later publish already wrote a newer site here
            if (held, held_token) == (generation - 1, previous) and (root / STATIC).is_dir():
                for path, encoded in changed.items():
                    write_encoded(root, export_path(path), encoded)
                for path in gone:
                    for name in reversed(Encoded(b"").files(export_path(path))):
                        _remove(root, name)  # the .br and .gz first: never a stale sibling
            else:
                if held >= generation:
                    current_app.logger.warning(
                        "publishing: the mirror in %s holds generation %s, which this database "
                        "never published (restored from a backup?): copying the whole site",
                        root,
                        held,
                    )
                _copy_whole_site(root)
            marker.seek(0)
            marker.truncate()
            marker.write(f"{generation} {token or ''}".strip())
    except (OSError, SQLAlchemyError):
        current_app.logger.exception("publishing: could not mirror to %s", root)


def _read_marker(text: str) -> tuple[int, str | None]:
    """(generation, token) from a marker: "N TOKEN", or "N" as older versions wrote it."""
    parts = text.split()
    try:
        return int(parts[0]), (parts[1] if len(parts) > 1 else None)
    except (IndexError, ValueError):
        return 0, None


def _still_ours(held: int, held_token: str | None) -> bool:
    """Whether the mirror's generation belongs to this database's history: not beyond the
    last generation, and the last one's token if it is that one. A restored backup fails it
    (its counter is behind the mirror, or a new generation took the same number). One a
    later publish has since passed cannot be checked here: that publish checks it."""
    row = db.session.execute(
        select(PublishState.generation, PublishState.token).where(PublishState.id == 1)
    ).one_or_none()
    db.session.rollback()  # a read of its own: hold no snapshot or lock past it
    if row is None or held > row.generation:
        return False
    return held < row.generation or held_token == row.token


@contextmanager
def _marker(root: Path):
    """The marker file, locked so two publishes on this machine never interleave."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root.with_name(f".{root.name}.mirror"), "a+") as marker:
        fcntl.flock(marker, fcntl.LOCK_EX)
        marker.seek(0)
        yield marker


def _copy_whole_site(root: Path) -> None:
    """Write every published file that differs, then remove every file the site lacks."""
    wanted = set()
    query = select(
        PublishedArtifact.path,
        PublishedArtifact.body,
        PublishedArtifact.body_gzip,
        PublishedArtifact.body_br,
    ).where(PublishedArtifact.gone.is_(False))
    with db.engine.connect() as conn:
        for row in conn.execute(query).yield_per(200):
            wanted |= write_encoded(root, export_path(row.path), Encoded.of(row))
    wanted |= copy_static(root)
    for file in sorted(root.rglob("*"), reverse=True):
        if file.is_file() and file.relative_to(root).as_posix() not in wanted:
            _remove(root, file.relative_to(root).as_posix())


def copy_static(root: Path) -> set[str]:
    """Copy the static assets into ``root/static``, each text file with its compressed forms
    (compressed here: a whole copy is rare and the assets are small); the names written."""
    static, written = Path(current_app.static_folder), set()
    for source in sorted(static.rglob("*")):
        if source.is_file():
            name = f"{STATIC}/{source.relative_to(static).as_posix()}"
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            written |= write_encoded(root, name, encode(source.read_bytes(), kind))
    return written


def write_encoded(root: Path, name: str, encoded: Encoded) -> set[str]:
    """Write ``root/name`` and its ``.gz``/``.br`` siblings (removing a sibling it lacks), the
    siblings first so the identity file never points at a stale one; the names written."""
    written = set()
    for file, data in reversed(encoded.files(name).items()):
        if data is None:
            (root / file).unlink(missing_ok=True)
        else:
            write_atomically(root, file, data)
            written.add(file)
    return written


def write_atomically(root: Path, name: str, body: bytes) -> None:
    """Write ``root/name`` through a temporary file and a rename; unchanged bytes stay."""
    target = root / name
    try:
        if target.read_bytes() == body:
            return
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the web server must read it
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(root: Path, name: str) -> None:
    """Remove ``root/name`` and the folders it leaves empty (a page's own folder)."""
    target = root / name
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
