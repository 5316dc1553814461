import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from app.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def configured(tmp_path, monkeypatch, env=None, **overrides):
    for key in ("DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND", "SECRET_KEY", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    app = Flask("crier-test", instance_path=str(tmp_path / "instance"))
    load_config(app, overrides or None)
    return app.config


def test_defaults_are_safe_and_local(tmp_path, monkeypatch):
    cfg = configured(tmp_path, monkeypatch)
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'crier.db'}"
    assert cfg["EMAIL_BACKEND"] == "console"
    assert cfg["REDIS_URL"] is None
    assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    first = configured(tmp_path, monkeypatch)["SECRET_KEY"]
    second = configured(tmp_path, monkeypatch)["SECRET_KEY"]
    assert first == second and len(first) == 64
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    cfg = configured(tmp_path, monkeypatch, env={"SECRET_KEY": "from-env"})
    assert cfg["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_postgres_urls_use_psycopg(tmp_path, monkeypatch):
    cfg = configured(tmp_path, monkeypatch, env={"DATABASE_URL": "postgres://u:p@db:5432/crier"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/crier"


def test_redis_url_moves_rate_limits_to_redis(tmp_path, monkeypatch):
    cfg = configured(tmp_path, monkeypatch, env={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_BACKEND": "carrier-pigeon"}, "EMAIL_BACKEND must be one of"),
        ({"EMAIL_BACKEND": "sendgrid"}, "needs SENDGRID_API_KEY"),
        ({"EMAIL_BACKEND": "smtp"}, "needs SMTP_HOST"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "mysql://db/crier"}, "must be sqlite:// or postgresql://"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must be a redis://"),
        ({"PUBLIC_BASE_URL": "status.example.com"}, "PUBLIC_BASE_URL must be a http://"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a whole number"),
    ],
)
def test_misconfiguration_is_one_clear_message(tmp_path, monkeypatch, env, message):
    with pytest.raises(ConfigError, match=message):
        configured(tmp_path, monkeypatch, env=env)


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import wsgi"],  # any WSGI server importing the app
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "web", "--port", "1"],
    ],
    ids=["wsgi", "flask-web"],
)
def test_start_up_with_bad_config_prints_one_line_not_a_traceback(tmp_path, command):
    env = {**os.environ, "EMAIL_BACKEND": "fax", "SECRET_KEY": "x"}
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "crier: configuration error: EMAIL_BACKEND must be one of console, memory, smtp, "
        "sendgrid (got 'fax')"
    ]


@pytest.mark.parametrize("backend", ["sendgrid", "smtp"])
@pytest.mark.parametrize(
    ("sender", "message"),
    [
        (None, "needs a real domain, not 'localhost'"),  # the default: SendGrid answers 400
        ("ops@mailhost", "needs a real domain, not 'mailhost'"),
        ("ops@status.localhost", "needs a real domain"),
        ("Crier", "is not an email address"),
        ("ops@bad_domain.com", "is not a valid address"),
    ],
)
def test_a_mail_provider_needs_a_sender_with_a_real_domain(
    tmp_path, monkeypatch, backend, sender, message
):
    env = {"EMAIL_BACKEND": backend, "SENDGRID_API_KEY": "SG.x", "SMTP_HOST": "mail.example.com"}
    monkeypatch.delenv("MAIL_FROM", raising=False)
    if sender:
        env["MAIL_FROM"] = sender
    with pytest.raises(ConfigError, match=f"MAIL_FROM {message}.*EMAIL_BACKEND={backend}"):
        configured(tmp_path, monkeypatch, env=env)
    env["MAIL_FROM"] = "Acme Status <status@acme.com>"
    assert configured(tmp_path, monkeypatch, env=env)["MAIL_FROM"] == env["MAIL_FROM"]


def test_the_console_backend_keeps_its_localhost_default(tmp_path, monkeypatch):
    monkeypatch.delenv("MAIL_FROM", raising=False)
    cfg = configured(tmp_path, monkeypatch)
    assert cfg["EMAIL_BACKEND"] == "console" and cfg["MAIL_FROM"] == "Crier <status@localhost>"


@pytest.mark.parametrize("var", ["PUBLISH_DIR", "CRIER_PUBLISH_DIR"])
def test_every_setting_is_read_under_its_bare_and_its_prefixed_name(tmp_path, monkeypatch, var):
    cfg = configured(tmp_path, monkeypatch, env={var: "/srv/crier-site"})
    assert cfg["PUBLISH_DIR"] == "/srv/crier-site"


def test_settings_from_the_environment_are_typed(tmp_path, monkeypatch):
    env = {
        "CRIER_PUBLISH_CHECK_SECONDS": "0.5",
        "ARTIFACT_CACHE_BYTES": "1000",
        "SMTP_SSL": "yes",
        "CRIER_SECRET_KEY_FALLBACKS": "old-one, older-one",
    }
    cfg = configured(tmp_path, monkeypatch, env=env)
    assert cfg["PUBLISH_CHECK_SECONDS"] == 0.5
    assert cfg["ARTIFACT_CACHE_BYTES"] == 1000
    assert cfg["SMTP_SSL"] is True
    assert cfg["SECRET_KEY_FALLBACKS"] == ["old-one", "older-one"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CRIER_PUBLISH_CHECK_SECONDS": "abc"}, "PUBLISH_CHECK_SECONDS must be a number"),
        ({"PUBLISH_CHECK_SECONDS": "-1"}, "PUBLISH_CHECK_SECONDS must be at least 0"),
        ({"CRIER_WORKER_STALE_SECONDS": "soon"}, "WORKER_STALE_SECONDS must be a whole number"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS must be true or false"),
        ({"TRUSTED_PROXIES": "-1"}, "TRUSTED_PROXIES must be at least 0"),
        ({"CRIER_ALERT_SEVERITY_STATUSES": "{nope"}, "ALERT_SEVERITY_STATUSES must be JSON"),
        ({"CRIER_PUBLSH_DIR": "/srv/x"}, "CRIER_PUBLSH_DIR is not a setting.*CRIER_PUBLISH_DIR"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_setting(tmp_path, monkeypatch, env, message):
    with pytest.raises(ConfigError, match=message):
        configured(tmp_path, monkeypatch, env=env)


def test_flask_settings_still_come_through_the_prefix(tmp_path, monkeypatch):
    cfg = configured(tmp_path, monkeypatch, env={"CRIER_SESSION_COOKIE_NAME": "crier"})
    assert cfg["SESSION_COOKIE_NAME"] == "crier"


@pytest.mark.parametrize("key", ["x", "dev", "a" * 40, "s3cr3t-but-short"])
def test_a_weak_secret_key_is_refused_outside_development(tmp_path, monkeypatch, key):
    env = {"SECRET_KEY": key, "PUBLIC_BASE_URL": "https://status.example.com"}
    with pytest.raises(ConfigError, match=r"SECRET_KEY .*secrets\.token_hex"):
        configured(tmp_path, monkeypatch, env=env)
    env["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"  # a laptop: allowed
    assert configured(tmp_path, monkeypatch, env=env)["SECRET_KEY"] == key
    env = {"SECRET_KEY": secrets.token_hex(32), "PUBLIC_BASE_URL": "https://status.example.com"}
    assert configured(tmp_path, monkeypatch, env=env)["SECRET_KEY"] == env["SECRET_KEY"]


def test_a_hash_in_the_database_password_is_part_of_the_password(tmp_path, monkeypatch):
    from sqlalchemy.engine import make_url

    for url in ("postgresql://crier:pa#ss@db:5432/crier", "postgresql://crier:pa%23ss@db/crier"):
        cfg = configured(tmp_path, monkeypatch, env={"DATABASE_URL": url})
        parsed = make_url(cfg["SQLALCHEMY_DATABASE_URI"])
        assert (parsed.password, parsed.host, parsed.database) == ("pa#ss", "db", "crier")


@pytest.mark.parametrize("var", ["INSTANCE_PATH", "CRIER_INSTANCE_PATH"])
def test_the_instance_folder_is_read_under_both_names(tmp_path, monkeypatch, var):
    from app import create_app

    monkeypatch.delenv("INSTANCE_PATH", raising=False)
    monkeypatch.setenv(var, str(tmp_path / "elsewhere"))
    app = create_app({"EMAIL_BACKEND": "memory", "SECRET_KEY": "x"})
    assert app.instance_path == str(tmp_path / "elsewhere")
    assert app.config["INSTANCE_PATH"] == str(tmp_path / "elsewhere")


def test_the_log_level_and_format_are_checked_at_start_up(app_factory):
    with pytest.raises(ConfigError, match="LOG_LEVEL must be one of"):
        app_factory(LOG_LEVEL="loud")
    with pytest.raises(ConfigError, match="LOG_FORMAT must be plain or json"):
        app_factory(LOG_FORMAT="xml")
    assert app_factory(LOG_LEVEL="warning", LOG_FORMAT="JSON").config["LOG_FORMAT"] == "json"
