"""`flask web`, the HTTP server Crier ships (granian running the WSGI app), as a process: it
serves the published site with its validators, refuses an oversized body before reading it,
runs below the worker's CPU priority and stops cleanly on SIGTERM, as a deploy stops it."""

import gzip
import http.client
import os
import signal
from pathlib import Path
from urllib.parse import urlsplit

from app.cli import WEB_KILL_SECONDS
from app.extensions import db
from app.messages.seed import seed_default_templates
from tests.factories import create_component
from tests.livestack import fetch, wait_until


def niceness(pid: int) -> int:
    """A process's nice value, from /proc (field 19 of stat, after the command's parentheses)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


def test_flask_web_serves_the_site_refuses_huge_bodies_and_stops_on_sigterm(ctx, live_stack, app):
    seed_default_templates()
    create_component(slug="api", name="API")
    db.session.commit()
    stack = live_stack().start_web(workers=1, threads=2)

    # Pages follow a change within the publish-check interval. Once in CI the first answer
    # was still the page from before the component; why it lagged is not found yet.
    wait_until(lambda: "API" in fetch(stack.url + "/")[1], timeout=5, what="/ to show API")
    status, body, headers = fetch(stack.url + "/")
    assert status == 200 and "API" in body
    assert headers["Vary"] == "Accept-Encoding" and headers["ETag"]
    status, _, _ = fetch(stack.url + "/", headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    url = urlsplit(stack.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", "/", headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    assert response.getheader("Content-Encoding") == "gzip"
    assert "API" in gzip.decompress(response.read()).decode()

    # A body over MAX_CONTENT_LENGTH is refused from its Content-Length, unread.
    conn.putrequest("POST", "/subscribe")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(app.config["MAX_CONTENT_LENGTH"] * 1000))
    conn.endheaders()
    conn.send(b"email=a%40example.com&")
    assert conn.getresponse().status == 413
    conn.close()

    # Reads yield the CPU to publishing: the server runs at nice 10 (WEB_NICE), above ours.
    assert niceness(stack.web.pid) == os.nice(0) + 10

    stack.web.send_signal(signal.SIGTERM)
    assert stack.web.wait(timeout=15) == 0
    assert "Traceback" not in stack.log("web")


def test_a_web_process_stuck_in_its_stop_is_killed_so_the_server_still_exits(ctx, live_stack):
    # A request process that never answers SIGTERM (stopped here; in CI a worker hung in the
    # server's own shutdown) must not keep `make run`, a deploy or systemd waiting for ever.
    stack = live_stack().start_web(workers=1, threads=2)
    assert fetch(stack.url + "/")[0] == 200
    children = Path(f"/proc/{stack.web.pid}/task/{stack.web.pid}/children").read_text().split()
    assert children, "granian runs its request process as a child"
    for child in children:
        os.kill(int(child), signal.SIGSTOP)
    stack.web.send_signal(signal.SIGTERM)
    stack.web.wait(timeout=WEB_KILL_SECONDS + 15)
    for child in children:
        assert not Path(f"/proc/{child}").exists() or "Z" in status_of(int(child))


def status_of(pid: int) -> str:
    """A process's state letter from /proc (Z: a zombie, already dead)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
