"""The one HTTP client for outbound requests: checked URL, pinned address, no redirects."""

import http.client
import json
import math
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, urlsplit

from app.outbound.addresses import address_problem

DEFAULT_TIMEOUT = 5.0
MAX_TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 64 * 1024
# The response headers Crier acts on; the others are never kept, and each value is bounded.
KEPT_HEADERS = ("Retry-After",)
MAX_HEADER_CHARS = 200
_PRIVATE_HINT = "requests to private networks are off (an admin can allow them in Settings)"


class OutboundError(Exception):
    """A request that was refused or failed; the message says why in one line. ``retryable``
    is True for network trouble worth another try, False for a refusal or a redirect."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most MAX_RESPONSE_BYTES; the rest is never read
    headers: Mapping[str, str] = field(default_factory=dict)  # KEPT_HEADERS only, bounded

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def retry_after(self, *, now: datetime | None = None) -> float | None:
        """Seconds the server asked us to wait (``Retry-After``), or None if it did not say."""
        return parse_retry_after(self.headers.get("Retry-After"), now=now)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value, delay-seconds or an HTTP-date (a past date is 0);
    None for a missing or unreadable one. The caller clamps it to its own maximum."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, as HTTP-dates are
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _kept_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    kept = {}
    for name in KEPT_HEADERS:
        value = response.getheader(name)
        if value is not None:
            kept[name] = value[:MAX_HEADER_CHARS]
    return kept


def check_url(url: str) -> SplitResult:
    """The parts of an http(s) URL with a host and no credentials, or an OutboundError."""
    url = (url or "").strip()
    if any(ord(c) < 33 or c == "\x7f" for c in url):
        raise OutboundError("The URL has spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundError("The URL must start with https:// or http://.")
    if parts.username is not None or parts.password is not None:
        raise OutboundError("The URL must not carry a user name or password (user:pass@).")
    try:
        port = parts.port
    except ValueError:
        raise OutboundError("The URL's port is not a number from 1 to 65535.") from None
    if not parts.hostname or port == 0:
        raise OutboundError("The URL has no host name.")
    return parts


def resolve(host: str, port: int, *, allow_private: bool = False) -> str:
    """The one address to connect to: the host resolved once, every answer checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise OutboundError(f"Cannot resolve {host}: {exc}", retryable=True) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise OutboundError(f"Cannot resolve {host}: no addresses", retryable=True)
    if not allow_private:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise OutboundError(f"{host} is {address}, {problem}; {_PRIVATE_HINT}.")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Talks to ``host`` (Host header) at the address already checked: no second lookup."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self):
        super().connect()
        # Verification and SNI are for the name in the URL, not the address.
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def request(method, url, *, body=None, headers=None, allow_private=False,
            timeout=DEFAULT_TIMEOUT, max_bytes=MAX_RESPONSE_BYTES) -> Response:  # fmt: skip
    """One request; the answer (any status but 3xx) or an OutboundError. Never follows a
    redirect; ``timeout`` bounds the connection and the whole read."""
    parts = check_url(url)
    timeout = min(max(float(timeout), 0.1), MAX_TIMEOUT)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve(parts.hostname, port, allow_private=allow_private)
    cls = _PinnedHTTPS if https else _PinnedHTTP
    conn = cls(parts.hostname, port, address=address, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + timeout
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        if 300 <= response.status < 400:
            where = response.getheader("Location", "nowhere")
            raise OutboundError(
                f"{parts.hostname} answered {response.status} (a redirect to {where}); "
                "redirects are not followed: give the final URL."
            )
        data = b""
        while len(data) < max_bytes and time.monotonic() < deadline:
            chunk = response.read(min(8192, max_bytes - len(data)))
            if not chunk:
                break
            data += chunk
        return Response(response.status, data, _kept_headers(response))
    except TimeoutError:
        raise OutboundError(
            f"{parts.hostname} timed out after {timeout:g} s", retryable=True
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise OutboundError(
            f"{parts.hostname}: TLS certificate not valid: {exc.verify_message}"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise OutboundError(
            f"{parts.hostname}: {exc or type(exc).__name__}", retryable=True
        ) from None
    finally:
        conn.close()


def post_json(url: str, payload, **options) -> Response:
    """POST ``payload`` as JSON; options as for ``request``."""
    body = json.dumps(payload).encode()
    return request("POST", url, body=body, headers={"Content-Type": "application/json"}, **options)
