import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.outbound import OutboundError, check_url, post_json
from app.outbound.client import parse_retry_after


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.seen.append((self.path, self.headers["Host"]))
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/internal")
            self.end_headers()
            return
        body = b"x" * 200_000 if self.path == "/big" else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 that records the paths it was asked for."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_a_loopback_server_is_refused_by_default(server):
    url = f"http://127.0.0.1:{server.server_port}/hook"
    with pytest.raises(OutboundError, match=r"127\.0\.0\.1, a loopback address") as caught:
        post_json(url, {"text": "hi"})
    assert caught.value.retryable is False
    with pytest.raises(OutboundError, match="a loopback address"):
        post_json(f"http://localhost:{server.server_port}/hook", {"text": "hi"})
    assert server.seen == []


def test_a_loopback_server_is_reached_when_allowed(server):
    response = post_json(
        f"http://localhost:{server.server_port}/hook", {"t": 1}, allow_private=True
    )
    assert response.ok and response.body == b"ok"
    assert server.seen == [("/hook", f"localhost:{server.server_port}")]  # Host is the name


def test_a_redirect_is_a_failure_and_is_not_followed(server):
    url = f"http://127.0.0.1:{server.server_port}/moved"
    with pytest.raises(OutboundError, match=r"302 .*redirects are not followed"):
        post_json(url, {"text": "hi"}, allow_private=True)
    assert [path for path, _ in server.seen] == ["/moved"]


def test_the_response_read_is_bounded(server):
    url = f"http://127.0.0.1:{server.server_port}/big"
    response = post_json(url, {}, allow_private=True, max_bytes=1000)
    assert response.ok and len(response.body) == 1000


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "https:// or http://"),
        ("file:///etc/passwd", "https:// or http://"),
        ("https://user:pass@hooks.example.com/x", "user name or password"),
        ("https:///nohost", "no host"),
        ("https://hooks.example.com:99999/", "port"),
        ("https://hooks.example.com/a b", "spaces"),
    ],
)
def test_bad_urls_are_refused_before_any_connection(url, message):
    with pytest.raises(OutboundError, match=message):
        check_url(url)


class _RetryAfterHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(429)
        self.send_header("Retry-After", "30")
        self.send_header("X-Noise", "n" * 5000)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_429_carries_its_retry_after_and_nothing_else():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RetryAfterHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/hook"
        response = post_json(url, {"t": 1}, allow_private=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert response.status == 429
    assert dict(response.headers) == {"Retry-After": "30"}  # only what Crier acts on
    assert response.retry_after() == 30.0


def test_retry_after_reads_seconds_and_http_dates_and_ignores_garbage():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(" 0 ", now=now) == 0.0
    assert parse_retry_after("Mon, 30 Nov 2026 12:00:45 GMT", now=now) == 45.0
    assert parse_retry_after("Mon, 30 Nov 2026 11:00:00 GMT", now=now) == 0.0  # already past
    for garbage in (None, "", "soon", "-5", "nan", "inf", "1e999", "Mon, 99 Nov 2026"):
        assert parse_retry_after(garbage, now=now) is None, garbage


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_total_deadline(mode):
    """One byte a second keeps every read alive; the deadline is for the whole request."""
    from tests.hostile.trickle import TricklingServer

    server = TricklingServer(mode=mode, interval=0.3).start()
    started = time.monotonic()
    try:
        with pytest.raises(OutboundError, match="timed out") as caught:
            post_json(server.url + "/hook", {"t": 1}, allow_private=True, timeout=1.5)
    finally:
        server.stop()
    assert time.monotonic() - started < 2.5
    assert caught.value.retryable is True
    assert len(server.hits) == 1
