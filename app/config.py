"""Configuration: defaults, then the environment, then the mapping given to create_app."""

import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

EMAIL_BACKENDS = ("console", "memory", "smtp", "sendgrid")

# Environment variables read as they are (no prefix), as in the README's table.
ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "EMAIL_BACKEND",
    "SENDGRID_API_KEY",
    "SENDGRID_API_HOST",
    "SENDGRID_WEBHOOK_PUBLIC_KEY",
    "LIST_UNSUBSCRIBE_MAILTO",
    "MAIL_FROM",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "SMTP_SSL",
    "WORKER_STALE_SECONDS",
    "TRUSTED_PROXIES",
    "MAX_CONTENT_LENGTH",
    "IMPORT_MAX_CONTENT_LENGTH",
    "SESSION_COOKIE_SECURE",
)


class ConfigError(Exception):
    """A setting that stops Crier from starting; the message is one line for a person."""


class Config:
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    EMAIL_BACKEND = "console"
    SENDGRID_API_KEY: str | None = None
    SENDGRID_API_HOST = "https://api.sendgrid.com"
    # Base64 ECDSA public key from SendGrid's Event Webhook settings; unset refuses all events.
    SENDGRID_WEBHOOK_PUBLIC_KEY: str | None = None
    LIST_UNSUBSCRIBE_MAILTO: str | None = None
    MAIL_FROM = "Crier <status@localhost>"
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    # Alertmanager alerts (app.alerts): the label naming the component's slug, the label
    # giving the severity, and the component status each severity sets (others: the default).
    # Environment: CRIER_ALERT_SEVERITY_STATUSES='{"critical": "major_outage", ...}'.
    ALERT_COMPONENT_LABEL = "component"
    ALERT_SEVERITY_LABEL = "severity"
    ALERT_SEVERITY_STATUSES = {
        "critical": "major_outage",
        "warning": "degraded_performance",
    }
    ALERT_DEFAULT_STATUS = "degraded_performance"
    SMTP_STARTTLS = False
    SMTP_SSL = False
    HUEY_IMMEDIATE = False
    WORKER_STALE_SECONDS = 180
    LOGIN_RATE_LIMIT = "10 per minute"
    SUBSCRIBE_RATE_LIMIT = "20 per hour"
    SUBSCRIBE_ADDRESS_RATE_LIMIT = "3 per hour"
    API_RATE_LIMIT = "600 per minute"  # per key, over every /api/v1 endpoint
    API_AUTH_FAILURE_RATE_LIMIT = "30 per minute"  # refused keys, per client
    # Fan-out: retries per batch, backoff, and when a dispatch counts as abandoned by a worker.
    DISPATCH_RETRIES = 5
    DISPATCH_BACKOFF_SECONDS = 2.0
    DISPATCH_MAX_BACKOFF_SECONDS = 60.0
    # A worker sending a dispatch renews a lease this long after every batch; once it lapses
    # (the worker died) another worker takes the dispatch over at its cursor.
    DISPATCH_LEASE_SECONDS = 15
    # How often each worker looks for dispatches whose lease lapsed or whose task was lost.
    DISPATCH_SWEEP_SECONDS = 2.0
    # Rows written before leases (no lease_until): abandoned when not touched for this long.
    DISPATCH_STALE_SECONDS = 300
    DISPATCH_PENDING_GRACE_SECONDS = 60
    DISPATCH_MAX_RUNS = 10
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Counters in memory by default; in Redis (so they hold across processes) with REDIS_URL.
    RATELIMIT_STORAGE_URI = "memory://"
    # Wrong passwords per account and client, and per client over all accounts.
    LOGIN_IP_RATE_LIMIT = "60 per minute"
    # How many reverse proxies (nginx, a load balancer) sit in front; X-Forwarded-For and
    # X-Forwarded-Proto are believed from that many hops only. 0: the peer is the client.
    TRUSTED_PROXIES = 0
    # Request bodies past this are refused with a 413 before they are read (bytes).
    MAX_CONTENT_LENGTH = 1024 * 1024
    IMPORT_MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # None: Secure cookies exactly when PUBLIC_BASE_URL is https.
    SESSION_COOKIE_SECURE: bool | None = None
    # Bytes of cold published artifacts (incident pages, old history pages) each web process
    # keeps in memory; the rest are read from the database when asked for.
    ARTIFACT_CACHE_BYTES = 32 * 1024 * 1024
    # A folder every publish keeps equal to `flask publish --out` (for nginx or a CDN origin).
    PUBLISH_DIR: str | None = None


class TestConfig(Config):
    TESTING = True
    HUEY_IMMEDIATE = True
    EMAIL_BACKEND = "memory"
    SECRET_KEY = "test-only-not-secret"  # noqa: S105 - fixed so test sessions are reproducible
    PUBLIC_BASE_URL = "http://status.example.test"
    MAIL_FROM = "Crier <status@example.com>"
    DISPATCH_BACKOFF_SECONDS = 0.01


_BOOL_KEYS = {"SMTP_STARTTLS", "SMTP_SSL", "SESSION_COOKIE_SECURE"}
_INT_KEYS = {
    "SMTP_PORT",
    "WORKER_STALE_SECONDS",
    "TRUSTED_PROXIES",
    "MAX_CONTENT_LENGTH",
    "IMPORT_MAX_CONTENT_LENGTH",
}


def load_config(app, config=None):
    """Fill app.config from Config, the environment, then ``config``; validate."""
    base = config.pop("CONFIG_CLASS", Config) if isinstance(config, dict) else Config
    app.config.from_object(base)
    for key in ENV_KEYS:
        if key in os.environ:
            app.config[key] = os.environ[key]
    app.config.from_prefixed_env("CRIER")
    if config:
        app.config.update(config)
    _coerce(app.config)
    _finish(app)


def _coerce(cfg):
    for key in _BOOL_KEYS:
        if isinstance(cfg.get(key), str):
            cfg[key] = cfg[key].strip().lower() in ("1", "true", "yes", "on")
    for key in _INT_KEYS:
        if isinstance(cfg.get(key), str):
            try:
                cfg[key] = int(cfg[key])
            except ValueError:
                raise ConfigError(f"{key} must be a whole number (got {cfg[key]!r})") from None


_COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)


def _check_alert_statuses(cfg) -> None:
    table = cfg.get("ALERT_SEVERITY_STATUSES")
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and v in _COMPONENT_STATUSES for k, v in table.items()
    ):
        raise ConfigError(
            "ALERT_SEVERITY_STATUSES must map severity labels to component statuses "
            f"({', '.join(_COMPONENT_STATUSES)})"
        )
    if cfg.get("ALERT_DEFAULT_STATUS") not in _COMPONENT_STATUSES:
        raise ConfigError(f"ALERT_DEFAULT_STATUS must be one of {', '.join(_COMPONENT_STATUSES)}")


def _finish(app):
    cfg = app.config
    instance = Path(app.instance_path)
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'crier.db'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = database_uri(cfg["DATABASE_URL"])
    _check_url("REDIS_URL", cfg.get("REDIS_URL"), ("redis", "rediss", "unix"))
    _check_url("PUBLIC_BASE_URL", cfg.get("PUBLIC_BASE_URL"), ("http", "https"))
    _check_url("SENDGRID_API_HOST", cfg.get("SENDGRID_API_HOST"), ("http", "https"))
    cfg["PUBLIC_BASE_URL"] = cfg["PUBLIC_BASE_URL"].rstrip("/")
    backend = cfg.get("EMAIL_BACKEND")
    if backend not in EMAIL_BACKENDS:
        raise ConfigError(
            f"EMAIL_BACKEND must be one of {', '.join(EMAIL_BACKENDS)} (got {backend!r})"
        )
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
    if cfg.get("REDIS_URL") and cfg.get("RATELIMIT_STORAGE_URI") == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance)
    if cfg.get("SESSION_COOKIE_SECURE") is None:
        cfg["SESSION_COOKIE_SECURE"] = cfg["PUBLIC_BASE_URL"].startswith("https://")
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]
    if not isinstance(cfg.get("TRUSTED_PROXIES"), int) or cfg["TRUSTED_PROXIES"] < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be 0 or more (got {cfg['TRUSTED_PROXIES']!r})")


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


def database_uri(url):
    """SQLAlchemy URI for DATABASE_URL; accepts Heroku-style postgres:// too."""
    try:
        parsed = make_url(url)
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
