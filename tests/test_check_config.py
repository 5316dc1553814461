"""`flask check-config` reaches the database, the queue and Redis and names what is wrong."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import OwnPostgres, OwnRedis, free_port, postgres_bin

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "s3cret#with@odd/chars?"


def check_config(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env = {"INSTANCE_PATH": str(tmp_path / "instance"), "EMAIL_BACKEND": "console", **env}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "check-config"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def postgres():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed")
    server = OwnPostgres(password=PASSWORD).create()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def redis_server():
    server = OwnRedis(password=PASSWORD).start()
    yield server
    server.stop()


def pg_url(server, password):
    return f"postgresql://crier:{password}@127.0.0.1:{server.port}/crier"


def test_every_setting_is_printed_and_secrets_are_masked(tmp_path):
    result = check_config(tmp_path, SECRET_KEY="k" * 8 + "-a-long-and-private-key-000000000")
    assert result.returncode == 0, result.stderr
    names = [line.split("=", 1)[0] for line in result.stdout.splitlines() if "=" in line]
    from app.config_table import SETTINGS

    assert names[: len(SETTINGS)] == [s.name for s in SETTINGS]
    assert "private-key" not in result.stdout
    assert "SECRET_KEY=****** (41 characters)" in result.stdout
    assert "configuration OK" in result.stdout


def test_a_password_with_a_hash_reaches_postgresql_and_is_noted(tmp_path, postgres):
    result = check_config(tmp_path, DATABASE_URL=pg_url(postgres, PASSWORD))
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout
    assert "need '#' as %23, '/' as %2F, '?' as %3F, '@' as %40" in result.stdout
    assert "configuration OK" in result.stdout


def test_a_wrong_database_password_is_named(tmp_path, postgres):
    result = check_config(tmp_path, DATABASE_URL=pg_url(postgres, "wrong"))
    assert result.returncode == 1
    assert "problem: DATABASE_URL: wrong user name or password" in result.stderr
    assert "configuration OK" not in result.stdout


def test_an_unreachable_database_is_named(tmp_path):
    url = f"postgresql://crier:x@127.0.0.1:{free_port()}/crier"
    result = check_config(tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert "problem: DATABASE_URL: unreachable: nothing listens at that host and port" in (
        result.stderr
    )


def test_an_unreachable_redis_is_named(tmp_path):
    result = check_config(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1
    assert "problem: REDIS_URL (the task queue): unreachable" in result.stderr
    assert "problem: REDIS_URL: unreachable" in result.stderr


def test_a_wrong_redis_password_is_named_and_a_right_one_with_a_hash_works(tmp_path, redis_server):
    url = f"redis://:wrong@127.0.0.1:{redis_server.port}/0"
    result = check_config(tmp_path, REDIS_URL=url)
    assert result.returncode == 1
    assert "problem: REDIS_URL: wrong" in result.stderr
    url = f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0"
    result = check_config(tmp_path, REDIS_URL=url)
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout
    assert "REDIS_URL=redis://:***@127.0.0.1" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": "x"}, "SECRET_KEY is a well-known or repetitive value"),
        ({"CRIER_PUBLISH_CHECK_SECONDS": "abc"}, "PUBLISH_CHECK_SECONDS must be a number"),
    ],
)
def test_a_bad_setting_stops_check_config_with_its_name(tmp_path, env, message):
    result = check_config(tmp_path, PUBLIC_BASE_URL="https://status.example.com", **env)
    assert result.returncode == 3
    assert result.stderr.startswith(f"crier: configuration error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_schema_behind_the_release_is_named(tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    script = ScriptDirectory.from_config(config)
    (head,) = script.get_heads()
    older = script.get_revision(head).down_revision
    env = {"INSTANCE_PATH": str(tmp_path / "instance")}
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", older],
        cwd=ROOT, env={**base, **env}, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    result = check_config(tmp_path)
    assert result.returncode == 1
    assert f"is behind this release ({head}): run `flask db upgrade`" in result.stderr


def test_the_version_is_shown_and_has_a_changelog_entry(tmp_path):
    from app import __version__

    version = subprocess.run([sys.executable, "-m", "app", "--version"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.stdout.strip() == f"crier {__version__}"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    first = re.search(r"^## (\S+)", changelog, flags=re.M).group(1)
    assert first == __version__  # the newest entry is the version the code says it is
