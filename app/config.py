"""Configuration: defaults, then the environment, then the mapping given to create_app."""

import copy
import difflib
import ipaddress
import json
import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.config_table import BY_NAME, COMPONENT_STATUSES, SETTINGS, SettingError

# The release: bumped with each entry of CHANGELOG.md (shown by `crier --version` and
# `flask check-config`; pyproject.toml reads the wheel's version from here).
VERSION = "0.2.0"

# Settings Crier does not read but that live under the CRIER_ prefix all the same: the
# password variable of `flask create-user`, and the test suite's own variables.
_NOT_SETTINGS = ("PASSWORD", "UPDATE_GOLDEN")
# Flask's and its extensions' own settings may be given as CRIER_<NAME> too.
_FOREIGN_PREFIXES = ("SESSION_", "REMEMBER_", "WTF_", "RATELIMIT_", "SQLALCHEMY_", "PERMANENT_")
# Keys known to be weak: the examples of tutorials and of our own docs.
WEAK_SECRET_KEYS = {"dev", "secret", "changeme", "change-me", "x", "test", "bench", "crier"}
SECRET_KEY_MIN_LENGTH = 32


class ConfigError(Exception):
    """A setting that stops Crier from starting; the message is one line for a person."""


class Config:
    """Every setting's default (from app.config_table), plus fixed Flask settings."""

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Counters in memory by default; in Redis (so they hold across processes) with REDIS_URL.
    RATELIMIT_STORAGE_URI = "memory://"
    HUEY_IMMEDIATE = False  # tests run tasks inline


for _setting in SETTINGS:
    setattr(Config, _setting.name, copy.deepcopy(_setting.default))


class TestConfig(Config):
    TESTING = True
    HUEY_IMMEDIATE = True
    EMAIL_BACKEND = "memory"
    SECRET_KEY = "test-only-not-secret"  # noqa: S105 - fixed so test sessions are reproducible
    PUBLIC_BASE_URL = "http://status.example.test"
    MAIL_FROM = "Crier <status@example.com>"
    DISPATCH_BACKOFF_SECONDS = 0.01


def load_config(app, config=None, environ=None):
    """Fill app.config from Config, the environment, then ``config``; parse and validate."""
    environ = os.environ if environ is None else environ
    base = config.pop("CONFIG_CLASS", Config) if isinstance(config, dict) else Config
    app.config.from_object(base)
    app.config.update(settings_from_environment(environ, app.config))
    if config:
        app.config.update(config)
    _coerce(app.config)
    _finish(app)


def settings_from_environment(environ, known) -> dict:
    """Each setting from CRIER_<NAME>, else <NAME>; Flask's own from CRIER_<NAME> (as Flask's
    ``from_prefixed_env``). An unknown CRIER_<NAME> stops start-up: a misspelt setting would
    otherwise be ignored without a word."""
    found = {}
    for setting in SETTINGS:
        for var in (f"CRIER_{setting.name}", setting.name):
            if var in environ:
                found[setting.name] = environ[var]
                break
    for var in sorted(environ):
        if not var.startswith("CRIER_"):
            continue
        name = var.removeprefix("CRIER_")
        if name in BY_NAME or name in _NOT_SETTINGS or name.startswith("TEST_"):
            continue
        if name in known or name.startswith(_FOREIGN_PREFIXES):
            try:
                found[name] = json.loads(environ[var])
            except ValueError:
                found[name] = environ[var]
            continue
        close = difflib.get_close_matches(name, list(BY_NAME), n=1)
        hint = f"; did you mean CRIER_{close[0]}?" if close else ""
        raise ConfigError(
            f"{var} is not a setting Crier knows{hint} (the settings: docs/configuration.md)"
        )
    return found


def _coerce(cfg):
    """Every setting of the table parsed to its type; a bad value names the setting."""
    for setting in SETTINGS:
        try:
            cfg[setting.name] = setting.parse(cfg.get(setting.name))
        except SettingError as exc:
            raise ConfigError(f"{setting.name} {exc}") from None


def is_development(cfg) -> bool:
    """Tests, debug mode, or a site only this machine can reach."""
    host = urlsplit(cfg.get("PUBLIC_BASE_URL") or "").hostname or ""
    return bool(cfg.get("TESTING") or cfg.get("DEBUG")) or host in ("localhost", "127.0.0.1", "::1")


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions and emailed links in production, or None."""
    if key.strip().lower() in WEAK_SECRET_KEYS or len(set(key)) < 8:
        return "is a well-known or repetitive value"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"is {len(key)} characters long; it needs at least {SECRET_KEY_MIN_LENGTH}"
    return None


def _check_secret_key(cfg) -> None:
    problem = secret_key_problem(cfg["SECRET_KEY"])
    if problem and not is_development(cfg):
        raise ConfigError(
            f"SECRET_KEY {problem}; make one with "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'` "
            "(or unset it to keep a generated one in the instance folder)"
        )


def _check_alert_statuses(cfg) -> None:
    table = cfg.get("ALERT_SEVERITY_STATUSES")
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and v in COMPONENT_STATUSES for k, v in table.items()
    ):
        raise ConfigError(
            "ALERT_SEVERITY_STATUSES must map severity labels to component statuses "
            f"({', '.join(COMPONENT_STATUSES)})"
        )


def _finish(app):
    cfg = app.config
    instance = Path(app.instance_path)
    cfg["INSTANCE_PATH"] = str(instance)
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'crier.db'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = database_uri(cfg["DATABASE_URL"])
    if cfg.get("REDIS_URL"):
        cfg["REDIS_URL"] = quote_userinfo(cfg["REDIS_URL"])
    _check_url("REDIS_URL", cfg.get("REDIS_URL"), ("redis", "rediss", "unix"))
    _check_url("PUBLIC_BASE_URL", cfg.get("PUBLIC_BASE_URL"), ("http", "https"))
    _check_url("SENDGRID_API_HOST", cfg.get("SENDGRID_API_HOST"), ("http", "https"))
    cfg["PUBLIC_BASE_URL"] = cfg["PUBLIC_BASE_URL"].rstrip("/")
    backend = cfg.get("EMAIL_BACKEND")
    if backend == "sendgrid" and not cfg.get("SENDGRID_API_KEY"):
        raise ConfigError("EMAIL_BACKEND=sendgrid needs SENDGRID_API_KEY")
    if backend == "smtp" and not cfg.get("SMTP_HOST"):
        raise ConfigError("EMAIL_BACKEND=smtp needs SMTP_HOST")
    if backend in ("sendgrid", "smtp"):
        problem = sender_problem(cfg.get("MAIL_FROM") or "")
        if problem:
            raise ConfigError(
                f"MAIL_FROM {problem}; EMAIL_BACKEND={backend} needs a real sender, "
                "like 'Acme Status <status@acme.com>'"
            )
    _check_alert_statuses(cfg)
    _check_oidc(cfg)
    if cfg.get("REDIS_URL") and cfg.get("RATELIMIT_STORAGE_URI") == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    if cfg.get("SECRET_KEY"):
        _check_secret_key(cfg)
    else:
        cfg["SECRET_KEY"] = _instance_secret(instance)
    if cfg.get("SECRET_KEY_FALLBACKS") and not cfg.get("WTF_CSRF_SECRET_KEY"):
        # itsdangerous checks a token against every key of a list and signs with the last:
        # a form loaded before the rotation still posts after it.
        cfg["WTF_CSRF_SECRET_KEY"] = [*reversed(cfg["SECRET_KEY_FALLBACKS"]), cfg["SECRET_KEY"]]
    # Set: as told. Unset: by the request's scheme too (app.SchemeSecureSessions); the value
    # kept here is the PUBLIC_BASE_URL answer, for what reads the setting outside a request.
    cfg["SESSION_COOKIE_SECURE_SET"] = cfg.get("SESSION_COOKIE_SECURE") is not None
    if cfg.get("SESSION_COOKIE_SECURE") is None:
        cfg["SESSION_COOKIE_SECURE"] = cfg["PUBLIC_BASE_URL"].startswith("https://")
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]
    cfg["METRICS_NETWORKS"] = _networks("METRICS_NETWORKS", cfg.get("METRICS_NETWORKS"))
    _check_logging(cfg)


_OIDC = ("VIEWER_OIDC_DISCOVERY_URL", "VIEWER_OIDC_CLIENT_ID", "VIEWER_OIDC_CLIENT_SECRET")


def _check_oidc(cfg) -> None:
    """Viewer sign-in by OpenID Connect needs all three settings, or none (never a value)."""
    given = [name for name in _OIDC if cfg.get(name)]
    if given and len(given) != len(_OIDC):
        missing = ", ".join(name for name in _OIDC if name not in given)
        raise ConfigError(f"viewer sign-in by OpenID Connect needs {missing} too")
    _check_url("VIEWER_OIDC_DISCOVERY_URL", cfg.get("VIEWER_OIDC_DISCOVERY_URL"), ("https", "http"))
    claim = cfg.get("VIEWER_OIDC_CLAIM") or ""
    if not claim or len(claim) > 100 or not claim.isprintable():
        raise ConfigError(f"VIEWER_OIDC_CLAIM must name a claim, like groups (got {claim!r})")


def _networks(key, value) -> tuple:
    """CIDR networks from "10.0.0.0/8, 192.168.1.0/24" (or a list of them)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{key} must be networks like 10.0.0.0/8, comma-separated ({exc})"
        ) from None


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("plain", "json")


def _check_logging(cfg) -> None:
    cfg["LOG_LEVEL"] = str(cfg.get("LOG_LEVEL") or "INFO").strip().upper()
    cfg["LOG_FORMAT"] = str(cfg.get("LOG_FORMAT") or "plain").strip().lower()
    if cfg["LOG_LEVEL"] not in LOG_LEVELS:
        raise ConfigError(
            f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {cfg['LOG_LEVEL']!r})"
        )
    if cfg["LOG_FORMAT"] not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be plain or json (got {cfg['LOG_FORMAT']!r})")


def sender_problem(value: str) -> str | None:
    """Why ``value`` ("Name <a@b.c>" or "a@b.c") cannot be a From address a mail provider
    accepts (SendGrid refuses status@localhost), or None. No DNS lookup."""
    _name, address = parseaddr(value or "")
    if not address or "@" not in address:
        return f"is not an email address (got {value!r})"
    domain = address.rpartition("@")[2].lower().rstrip(".")
    if "." not in domain or domain == "localhost" or domain.endswith(".localhost"):
        return f"needs a real domain, not {domain or 'nothing'!r} (got {value!r})"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"is not a valid address: {exc} (got {value!r})"
    return None


def quote_userinfo(url: str) -> str:
    """``url`` with its user name and password percent-encoded, so a password holding ``#``,
    ``?``, ``/`` or ``@`` (written raw, as people do) is read whole by every URL parser:
    the host starts after the last ``@`` of the authority. Encoded ones stay as they are."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest or scheme.startswith("sqlite"):
        return url
    userinfo, _, hostpart = rest.rpartition("@")
    user, colon, password = userinfo.partition(":")
    quoted = quote(unquote(user), safe="")
    if colon:
        quoted += ":" + quote(unquote(password), safe="")
    return f"{scheme}://{quoted}@{hostpart}"


def database_uri(url):
    """SQLAlchemy URI for DATABASE_URL; accepts Heroku-style postgres:// too."""
    try:
        parsed = make_url(quote_userinfo(url))
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL (got {url!r})") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
        parsed = parsed.set(drivername="postgresql")
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL must be sqlite:// or postgresql:// (got {backend}://)")
    return parsed.render_as_string(hide_password=False)


def _check_url(key, value, schemes):
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in schemes or (parts.scheme != "unix" and not parts.hostname):
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise ConfigError(f"{key} must be a {wanted} URL (got {value!r})")


def _instance_secret(instance):
    """The secret key kept in instance/, made on first run so restarts keep sessions."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same start-up won the race
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
