"""Every setting Crier reads: its name, type, default and one line of meaning.

One table, read by start-up (each value is parsed and checked here, so a bad value stops
Crier with one line naming the setting), by ``flask check-config`` (which prints them all,
secrets masked) and by the docs test (docs/configuration.md lists exactly these names).
Each is read from the environment as ``CRIER_<NAME>`` or as the bare ``<NAME>``.
"""

import json
from dataclasses import dataclass
from typing import Any

COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)
EMAIL_BACKENDS = ("console", "memory", "smtp", "sendgrid")


class SettingError(ValueError):
    """A value a setting cannot take; the message completes "NAME ..."."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # str, secret, int, float, bool, json, keys (a list of secrets)
    default: Any
    doc: str
    minimum: float | None = None
    choices: tuple = ()

    @property
    def secret(self) -> bool:
        return self.kind in ("secret", "keys")

    def parse(self, value: Any) -> Any:
        """The typed value of ``value`` (a string from the environment, or already typed)."""
        if value is None or (isinstance(value, str) and value == "" and self.kind != "str"):
            return None if self.kind != "keys" else []
        parsed = _PARSERS[self.kind](value)
        if self.minimum is not None and parsed < self.minimum:
            raise SettingError(f"must be at least {self.minimum:g} (got {value!r})")
        if self.choices and parsed not in self.choices:
            raise SettingError(f"must be one of {', '.join(self.choices)} (got {value!r})")
        return parsed


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise SettingError(f"must be a whole number (got {value!r})")
    try:
        return int(value)
    except ValueError:
        raise SettingError(f"must be a whole number (got {value!r})") from None


def _float(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingError(f"must be a number of seconds (got {value!r})")
    try:
        number = float(value)
    except ValueError:
        raise SettingError(f"must be a number (got {value!r})") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingError(f"must be a finite number (got {value!r})")
    return number


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingError(f"must be true or false (got {value!r})")


def _json(value):
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise SettingError(f"must be JSON (got {value!r})") from None


def _str(value):
    if not isinstance(value, str):
        raise SettingError(f"must be text (got {value!r})")
    return value


def _keys(value):
    """Old secret keys: a JSON list, or one key, or several separated by commas."""
    if isinstance(value, list | tuple):
        return [_str(v) for v in value]
    text = _str(value).strip()
    if text.startswith("["):
        keys = _json(text)
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise SettingError("must be a JSON list of strings")
        return keys
    return [k.strip() for k in text.split(",") if k.strip()]


_PARSERS = {
    "str": _str,
    "secret": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "json": _json,
    "keys": _keys,
}

S = Setting
SETTINGS: tuple[Setting, ...] = (
    # --- the essentials ---
    S("SECRET_KEY", "secret", None, "signs sessions, CSRF tokens and every emailed link; "
      "generated once into instance/secret_key; at least 32 characters outside development"),
    S("SECRET_KEY_FALLBACKS", "keys", [], "old keys still accepted after a rotation (a JSON "
      "list or comma-separated); new tokens are signed with SECRET_KEY only"),
    S("DATABASE_URL", "secret", None, "sqlite:///... or postgresql://user:pass@host/db; "
      "default: instance/crier.db"),
    S("REDIS_URL", "secret", None, "task queue and rate-limit counters in Redis (else a "
      "SQLite queue in instance/)"),
    S("PUBLIC_BASE_URL", "str", "http://127.0.0.1:5000", "the address readers use, with a "
      "path when Crier lives under one (https://example.com/status); absolute links"),
    S("INSTANCE_PATH", "str", None, "where the SQLite files, queue and secret key live "
      "(environment only; default ./instance)"),
    # --- email ---
    S("EMAIL_BACKEND", "str", "console", "console, smtp, sendgrid or memory (tests)",
      choices=EMAIL_BACKENDS),
    S("MAIL_FROM", "str", "Crier <status@localhost>", "sender of every email; SendGrid and "
      "SMTP need a real domain"),
    S("SENDGRID_API_KEY", "secret", None, "needed with EMAIL_BACKEND=sendgrid"),
    S("SENDGRID_API_HOST", "str", "https://api.sendgrid.com", "where the SendGrid client "
      "sends (tests point it at a local server)"),
    S("SENDGRID_WEBHOOK_PUBLIC_KEY", "str", None, "verification key of SendGrid's signed "
      "Event Webhook; unset refuses all events"),
    S("LIST_UNSUBSCRIBE_MAILTO", "str", None, "adds a mailto: to every subscriber email's "
      "List-Unsubscribe"),
    S("SMTP_HOST", "str", None, "SMTP server (EMAIL_BACKEND=smtp)"),
    S("SMTP_PORT", "int", 25, "SMTP port", minimum=1),
    S("SMTP_USERNAME", "str", None, "SMTP login"),
    S("SMTP_PASSWORD", "secret", None, "SMTP password"),
    S("SMTP_STARTTLS", "bool", False, "STARTTLS after connecting"),
    S("SMTP_SSL", "bool", False, "TLS from the first byte (port 465)"),
    # --- publishing and the read path ---
    S("PUBLISH_DIR", "str", None, "a folder every publish keeps equal to `flask publish "
      "--out` (for nginx or a CDN origin)"),
    S("PUBLISH_CHECK_SECONDS", "float", 0.1, "how often each web process asks for a newer "
      "published generation (0: on every request)", minimum=0),
    S("ARTIFACT_CACHE_BYTES", "int", 32 * 1024 * 1024, "bytes of cold published pages each "
      "web process keeps in memory", minimum=0),
    S("PUBLIC_MAX_AGE", "int", 10, "Cache-Control max-age of public pages (seconds)",
      minimum=0),
    S("PUBLIC_STALE_WHILE_REVALIDATE", "int", 60, "Cache-Control stale-while-revalidate of "
      "public pages (seconds)", minimum=0),
    S("DASHBOARD_POLL_SECONDS", "int", 15, "how often the console's dashboard refreshes",
      minimum=1),
    # --- the web edge ---
    S("TRUSTED_PROXIES", "int", 0, "how many reverse proxies sit in front; their "
      "X-Forwarded-For/-Proto/-Host/-Prefix are believed", minimum=0),
    S("SESSION_COOKIE_SECURE", "bool", None, "Secure cookies; unset: when the request "
      "arrives over https (PUBLIC_BASE_URL, or X-Forwarded-Proto from a trusted proxy)"),
    S("MAX_CONTENT_LENGTH", "int", 1024 * 1024, "request bodies past this many bytes are "
      "refused (413)", minimum=1),
    S("IMPORT_MAX_CONTENT_LENGTH", "int", 20 * 1024 * 1024, "the same for the subscriber "
      "CSV import", minimum=1),
    S("LOGIN_RATE_LIMIT", "str", "10 per minute", "wrong passwords per account and client"),
    S("LOGIN_IP_RATE_LIMIT", "str", "60 per minute", "wrong passwords per client"),
    S("SUBSCRIBE_RATE_LIMIT", "str", "20 per hour", "subscriptions per client"),
    S("SUBSCRIBE_ADDRESS_RATE_LIMIT", "str", "3 per hour", "confirmation emails per address"),
    S("VIEWER_SIGN_IN_RATE_LIMIT", "str", "20 per hour", "viewer sign-in links asked for per "
      "client"),
    S("VIEWER_SIGN_IN_ADDRESS_RATE_LIMIT", "str", "3 per hour", "viewer sign-in links emailed "
      "per address"),
    S("VIEWER_SESSION_DAYS", "int", 30, "days a viewer stays signed in (audience pages)",
      minimum=1),
    S("VIEWER_OIDC_DISCOVERY_URL", "str", None, "viewer sign-in by OpenID Connect: the "
      "provider's discovery document (https://idp.example/.well-known/openid-configuration); "
      "set with the client id and secret, or none of the three"),
    S("VIEWER_OIDC_CLIENT_ID", "str", None, "the client id Crier is registered under at the "
      "provider (redirect URI: PUBLIC_BASE_URL/viewer/oidc/callback)"),
    S("VIEWER_OIDC_CLIENT_SECRET", "secret", None, "that client's secret"),
    S("VIEWER_OIDC_CLAIM", "str", "groups", "the ID token claim (a string or a list of "
      "strings) whose values match audiences' OpenID Connect claim values"),
    S("VIEWER_OIDC_NAME", "str", "single sign-on", "the provider's name on the sign-in button "
      "(\"Sign in with …\")"),
    S("VIEWER_OIDC_TIMEOUT", "float", 5.0, "seconds Crier waits for the provider (discovery, "
      "keys, the token exchange)", minimum=0.5),
    S("API_RATE_LIMIT", "str", "600 per minute", "/api/v1 requests per key, over every "
      "endpoint"),
    S("API_AUTH_FAILURE_RATE_LIMIT", "str", "30 per minute", "refused /api/v1 keys per "
      "client; past it the client gets 429 whatever key it sends"),
    S("MAINTENANCE_REMINDERS", "str", "24h, 1h", "when a maintenance window that asks for "
      "reminders (and names no times of its own) reminds its subscribers: one or two times "
      "before its start, e.g. 24h, 1h or 90m"),
    # --- workers and fan-out ---
    S("WORKER_STALE_SECONDS", "int", 180, "a worker not seen for this long is shown as "
      "stopped", minimum=1),
    S("METRICS_TOKEN", "secret", None, "a bearer token that may read /metrics from "
      "anywhere (else loopback and METRICS_NETWORKS only)"),
    S("METRICS_NETWORKS", "str", "", "networks (CIDR, comma-separated) that may read "
      "/metrics besides loopback"),
    S("LOG_LEVEL", "str", "INFO", "DEBUG, INFO, WARNING or ERROR"),
    S("LOG_FORMAT", "str", "plain", "plain lines, or json: one JSON object a line"),
    S("DISPATCH_RETRIES", "int", 5, "retries of one email batch on a 429/5xx", minimum=0),
    S("DISPATCH_BACKOFF_SECONDS", "float", 2.0, "first backoff between batch retries",
      minimum=0),
    S("DISPATCH_MAX_BACKOFF_SECONDS", "float", 60.0, "longest backoff between batch retries",
      minimum=0),
    S("DISPATCH_LEASE_SECONDS", "float", 15, "a sending worker's lease; once it lapses "
      "another worker takes the dispatch over", minimum=0.1),
    S("DISPATCH_SWEEP_SECONDS", "float", 2.0, "how often each worker looks for abandoned "
      "dispatches", minimum=0.01),
    S("DISPATCH_STALE_SECONDS", "int", 300, "rows without a lease count as abandoned after "
      "this long", minimum=1),
    S("DISPATCH_PENDING_GRACE_SECONDS", "float", 60, "a pending dispatch whose task was "
      "lost is re-enqueued after this long", minimum=0),
    S("DISPATCH_MAX_RUNS", "int", 10, "runs of one dispatch before it is failed", minimum=1),
    S("HOOK_RETRIES", "int", 5, "retries of one webhook/Slack delivery", minimum=0),
    S("HOOK_TIMEOUT_SECONDS", "float", 5.0, "deadline of one webhook request", minimum=0.1),
    S("HOOK_BACKOFF_SECONDS", "float", 2.0, "first backoff between webhook retries",
      minimum=0),
    S("HOOK_MAX_BACKOFF_SECONDS", "float", 60.0, "longest backoff between webhook retries",
      minimum=0),
    S("HOOK_DISABLE_AFTER", "int", 10, "failed deliveries in a row that disable a webhook "
      "subscriber", minimum=1),
    S("HOOK_DISABLE_MIN_SECONDS", "float", 86400, "... over at least this long", minimum=0),
    S("HOOK_CONCURRENCY", "int", 8, "webhook/Slack requests of one dispatch on the wire at "
      "once", minimum=1),
    S("HOOK_SUBSCRIBERS_ALLOW_PRIVATE", "bool", False, "let anonymous webhook and Slack "
      "subscribers reach private networks: for a closed test rig only"),
    S("WEBHOOK_DOCS_URL", "str", None, "meta.documentation of the webhook challenge"),
    # --- Alertmanager ---
    S("ALERT_COMPONENT_LABEL", "str", "component", "the alert label naming a component's "
      "slug"),
    S("ALERT_SEVERITY_LABEL", "str", "severity", "the alert label giving the severity"),
    S("ALERT_SEVERITY_STATUSES", "json", {"critical": "major_outage",
      "warning": "degraded_performance"}, "JSON: the component status each severity sets"),
    S("ALERT_DEFAULT_STATUS", "str", "degraded_performance", "the status other severities "
      "set", choices=COMPONENT_STATUSES),
)  # fmt: skip
del S

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
