"""The one HTTP client for outbound requests: checked URL, pinned address, no redirects."""

import http.client
import io
import json
import math
import socket
import ssl
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
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
# getaddrinfo has no timeout of its own: lookups run here, and the caller waits only for what
# is left of its deadline (a lookup that hangs holds one of these threads, never the caller).
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbound-dns")


class OutboundError(Exception):
    """A request that was refused or failed; the message says why in one line. ``retryable``
    is True for network trouble worth another try, False for a refusal or a redirect."""

    def __init__(self, message: str, *, retryable: bool = False, refused: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.refused = refused

    @property
    def public_message(self) -> str:
        """What an anonymous visitor may be told: no status, no address, no system error (a
        detailed answer would turn the form into a port scanner)."""
        return "is not allowed" if self.refused else "could not be reached"


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


def _lookup(host: str, port: int):
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)


def resolve(host: str, port: int, *, allow_private: bool = False, timeout: float = 5.0) -> str:
    """The one address to connect to: the host resolved once (within ``timeout``), every
    answer checked."""
    try:
        infos = _RESOLVER.submit(_lookup, host, port).result(timeout=max(timeout, 0.01))
    except FutureTimeout:
        raise OutboundError(f"Cannot resolve {host}: timed out", retryable=True) from None
    except (OSError, UnicodeError) as exc:
        raise OutboundError(f"Cannot resolve {host}: {exc}", retryable=True) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise OutboundError(f"Cannot resolve {host}: no addresses", retryable=True)
    if not allow_private:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise OutboundError(f"{host} is {address}, {problem}; {_PRIVATE_HINT}.",
                                    refused=True)  # fmt: skip
    return addresses[0]


class _DeadlineSocket:
    """A connected socket whose every send and receive may take only what is left of one
    deadline: a peer that answers a byte at a time cannot stretch the request past it, in the
    headers (``getresponse``) or in the body."""

    def __init__(self, sock, deadline: float):
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline reached")
        self._sock.settimeout(left)

    def recv_into(self, buffer, nbytes=0, flags=0):
        self._arm()
        return self._sock.recv_into(buffer, nbytes, flags)

    def recv(self, bufsize, flags=0):
        self._arm()
        return self._sock.recv(bufsize, flags)

    def sendall(self, data, flags=0):
        self._arm()  # since 3.5 the timeout bounds the whole sendall
        return self._sock.sendall(data, flags)

    def makefile(self, mode="rb", *args, **kwargs):
        # http.client reads the status line, headers and body through this file; like
        # socket.makefile, it holds a reference so a close() waits for the response.
        self._sock._io_refs += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"))

    def _decref_socketios(self):
        self._sock._decref_socketios()

    def __getattr__(self, name):
        return getattr(self._sock, name)


class _PinnedHTTP(http.client.HTTPConnection):
    """Talks to ``host`` (Host header) at the address already checked: no second lookup; every
    socket operation bounded by what is left of ``deadline``."""

    def __init__(self, host, port, *, address, deadline):
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.01))
        self.address = address
        self.deadline = deadline

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline reached")
        return left

    def _raw(self):
        return socket.create_connection((self.address, self.port), self._left())

    def connect(self):
        self.sock = _DeadlineSocket(self._raw(), self.deadline)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self):
        raw = self._raw()
        raw.settimeout(self._left())  # the TLS handshake as a whole stays within it
        # Verification and SNI are for the name in the URL, not the address.
        tls = ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)
        self.sock = _DeadlineSocket(tls, self.deadline)


def request(method, url, *, body=None, headers=None, allow_private=False,
            timeout=DEFAULT_TIMEOUT, max_bytes=MAX_RESPONSE_BYTES) -> Response:  # fmt: skip
    """One request; the answer (any status but 3xx) or an OutboundError. Never follows a
    redirect; ``timeout`` is one deadline for all of it: the lookup, the connection, the TLS
    handshake, sending, the status line and headers, and the body, whatever the peer does."""
    parts = check_url(url)
    timeout = min(max(float(timeout), 0.1), MAX_TIMEOUT)
    deadline = time.monotonic() + timeout
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve(parts.hostname, port, allow_private=allow_private, timeout=timeout)
    cls = _PinnedHTTPS if https else _PinnedHTTP
    conn = cls(parts.hostname, port, address=address, deadline=deadline)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        if 300 <= response.status < 400:
            where = response.getheader("Location", "nowhere")
            raise OutboundError(
                f"{parts.hostname} answered {response.status} (a redirect to {where}); "
                "redirects are not followed: give the final URL.",
                refused=True,
            )
        data = b""
        while len(data) < max_bytes:
            chunk = response.read1(min(8192, max_bytes - len(data)))
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
            f"{parts.hostname}: TLS certificate not valid: {exc.verify_message}", refused=True
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
