import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.outbound import OutboundError, check_url, post_json


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
