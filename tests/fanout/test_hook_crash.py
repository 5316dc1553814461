"""A webhook delivery on the wire when its worker dies may have reached the endpoint: the
takeover sends it again and counts it as a possible duplicate, as email batches are."""

import json
import signal
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.dispatch import run_dispatch, sweep_dispatches
from app.fanout.hooks import subscribe_webhook
from app.models import Channel, Dispatch, DispatchStatus, Update
from app.sqltypes import utcnow
from tests.factories import create_incident, write_dispatches
from tests.livestack import dispatch_process


class _HoldingHandler(BaseHTTPRequestHandler):
    """Echoes a challenge's token; holds a delivery (until released) while ``hold`` is set."""

    def do_POST(self):
        server = self.server
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        body = json.loads(raw)
        server.hits.append(body.get("type", "delivery"))
        if body.get("type") != "subscription.verification" and server.hold.is_set():
            server.hold.clear()
            server.holding.set()
            server.release.wait(30)
        payload = json.dumps({"token": body.get("token")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def holding_endpoint():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _HoldingHandler)
    httpd.daemon_threads = True
    httpd.hits, httpd.hold, httpd.holding = [], threading.Event(), threading.Event()
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def test_a_worker_killed_mid_delivery_sends_it_again_and_counts_it(
    hook_app, holding_endpoint, database_url, tmp_path
):
    with unit_of_work():
        subscribe_webhook(f"http://127.0.0.1:{holding_endpoint.server_port}/hook")
    update = Update(incident=create_incident(), state="investigating", external_body="Down.")
    db.session.add(update)
    write_dispatches(update)  # written, its task never ran: a worker below runs it
    dispatch = db.session.scalar(db.select(Dispatch).filter_by(channel=Channel.webhook))
    holding_endpoint.hold.set()
    worker = dispatch_process(
        dispatch.id,
        database_url=database_url,
        secret_key=hook_app.config["SECRET_KEY"],
        instance_path=tmp_path / "worker",
        EMAIL_BACKEND="memory",
        CRIER_HOOK_TIMEOUT_SECONDS="30",
        CRIER_HOOK_SUBSCRIBERS_ALLOW_PRIVATE="true",
    )
    try:
        assert holding_endpoint.holding.wait(30), "the worker never sent the delivery"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    holding_endpoint.release.set()  # the endpoint had it: the dead worker never knew

    db.session.expire_all()
    killed = db.session.get(Dispatch, dispatch.id)
    assert (killed.status, killed.accepted_count, killed.in_flight) == (
        DispatchStatus.running,
        0,
        1,
    )
    later = utcnow() + timedelta(seconds=hook_app.config["DISPATCH_LEASE_SECONDS"] + 1)
    assert dispatch.id in sweep_dispatches(now=later)  # handed back, pending

    resumed = run_dispatch(dispatch.id)
    assert (resumed.status, resumed.accepted_count, resumed.in_flight) == (
        DispatchStatus.sent,
        1,
        0,
    )
    assert resumed.possible_duplicates == 1  # told: the endpoint may have had it twice
    assert holding_endpoint.hits.count("delivery") == 2
