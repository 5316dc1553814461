"""Published artifacts: the public site's bytes, rendered once per change and served as stored."""

from datetime import datetime

from sqlalchemy import Float, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sqltypes import utcnow


class PublishedArtifact(db.Model):
    """One public URL's bytes. ``generation`` is the publish that last changed the row."""

    __tablename__ = "published_artifacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # The same bytes compressed once at publish (None: too small to gain, or stored before
    # compression existed, then served as identity until re-published).
    body_gzip: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_br: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    # A path the site no longer has (an incident made private) stays as a tombstone, so that
    # every web process learns of the removal from the same "what changed since" query.
    gone: Mapped[bool] = mapped_column(default=False)
    generation: Mapped[int] = mapped_column(index=True)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PublishedArtifact {self.path} g{self.generation}{' gone' if self.gone else ''}>"


class PublishState(db.Model):
    """One row: the publish counter. Publishers take its row lock, so they run one at a time."""

    __tablename__ = "publish_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    # Random per generation: a mirror that followed generation N of another history (a
    # database restored from a backup) sees a token that is not N's here, and copies it all.
    token: Mapped[str | None] = mapped_column(String(32))
    previous_token: Mapped[str | None] = mapped_column(String(32))
    # How long the last publish took, claim to commit (for /metrics, read by any process).
    duration_seconds: Mapped[float | None] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<PublishState g{self.generation}>"


class PublishFailure(db.Model):
    """A public path the last publish could not render: it keeps its last good bytes, and the
    dashboard shows the path and the cause until a publish renders it again."""

    __tablename__ = "publish_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    cause: Mapped[str] = mapped_column(Text)
    generation: Mapped[int]
    failing_since: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PublishFailure {self.path} g{self.generation}>"


class PublishDirty(db.Model):
    """Something public changed and is not yet published: the publisher's outbox.

    ``kind`` is ``incident`` (``key``: its public id), ``components`` (a public id: the status
    moved), ``everything`` (settings, renames), or ``sweep`` (``key``: where a whole-site
    re-publish goes on, batch after batch). A publish reads, renders and deletes rows in one
    transaction, so a change is published at least once, even after a crash.
    """

    __tablename__ = "publish_dirty"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PublishDirty {self.kind} {self.key}>"


# What a PublishDirty row says changed; ``moved``: "<public id> <old start, ISO>".
INCIDENT, COMPONENTS, EVERYTHING, SWEEP = "incident", "components", "everything", "sweep"
MOVED = "moved"
