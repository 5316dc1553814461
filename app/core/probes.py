"""Reach the database, the queue and Redis once, and say in words what is wrong.

``flask check-config`` runs these; each returns None (reached) or one line a person can act
on, naming the setting to fix ("wrong password", "nothing listens there", ...).
"""

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

TIMEOUT_SECONDS = 5


def _first_line(exc: BaseException) -> str:
    """The driver's own words on one line (psycopg spreads them over several)."""
    cause = getattr(exc, "orig", None) or exc
    words = " ".join(line.strip() for line in str(cause).splitlines() if line.strip())
    words = words or type(cause).__name__
    return words if len(words) <= 300 else words[:297] + "..."


def _why(message: str) -> str:
    """A name for the usual causes, before the driver's own words."""
    low = message.lower()
    if "password authentication failed" in low or "invalid username-password" in low:
        return "wrong user name or password"
    if "wrongpass" in low or "invalid password" in low or "noauth" in low:
        return "wrong password"
    if "does not exist" in low and "database" in low:
        return "no such database"
    if "connection refused" in low:
        return "unreachable: nothing listens at that host and port"
    if "timeout" in low or "timed out" in low:
        return "unreachable: no answer in time"
    if "name or service not known" in low or "could not translate host" in low:
        return "unreachable: unknown host name"
    return "cannot connect"


def database_problem(uri: str) -> str | None:
    """Connect to the database and run ``SELECT 1`` (a fresh engine, not the app's pool)."""
    url = make_url(uri)
    args = {"connect_timeout": TIMEOUT_SECONDS} if url.get_backend_name() == "postgresql" else {}
    engine = create_engine(url, connect_args=args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        message = _first_line(exc)
        return f"DATABASE_URL: {_why(message)} ({message})"
    finally:
        engine.dispose()
    return None


def redis_problem(url: str, setting: str = "REDIS_URL") -> str | None:
    """PING the Redis server at ``url``."""
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        message = _first_line(exc)
        return f"{setting}: {_why(message)} ({message})"
    finally:
        client.close()
    return None


def queue_problem(huey) -> str | None:
    """The task queue answers: Redis is PINGed, a SQLite queue file is read."""
    storage = huey.storage
    conn = getattr(storage, "conn", None)
    if hasattr(conn, "ping"):  # RedisStorage
        import redis

        try:
            conn.ping()
        except redis.RedisError as exc:
            message = _first_line(exc)
            return f"REDIS_URL (the task queue): {_why(message)} ({message})"
        return None
    filename = getattr(storage, "filename", None)
    try:
        storage.queue_size()
    except Exception as exc:  # any failure of the queue is the answer
        where = f" at {filename}" if filename else ""
        return f"INSTANCE_PATH (the task queue{where}): {_first_line(exc)}"
    if filename and not Path(filename).exists():
        return f"INSTANCE_PATH (the task queue): {filename} was not created"
    return None


def schema_state(migrate_config, uri: str) -> tuple[str, str | None]:
    """(what the database's schema is, a problem or None): behind this release's migrations
    (run ``flask db upgrade``), a problem; ahead of them (after a rollback) or empty, a note."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(migrate_config).get_heads())
    engine = create_engine(make_url(uri))
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        return "unknown", f"DATABASE_URL: cannot read the schema version ({_first_line(exc)})"
    finally:
        engine.dispose()
    shown = ", ".join(sorted(current)) or "empty"
    if not current:
        return "empty: run `flask db upgrade` before starting web and worker", None
    if current == heads:
        return f"{shown} (this release's)", None
    script = ScriptDirectory.from_config(migrate_config)
    known = {rev.revision for rev in script.walk_revisions()}
    if current - known:  # a rollback of the code: fine while the newer migrations add only
        return (
            f"{shown}, newer than this release: a newer release migrated it; after a "
            "rollback that is fine if its CHANGELOG entry says its migrations only add "
            "(docs/upgrading.md), else downgrade with its code first",
            None,
        )
    return shown, (
        f"the database schema ({shown}) is behind this release ({', '.join(sorted(heads))}): "
        "run `flask db upgrade`"
    )
