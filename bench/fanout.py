"""Fan-out benchmark (not a test): one update to 100,000 confirmed subscribers over SendGrid.

A local HTTP server stands in for SendGrid (accepts POST /v3/mail/send, counts
personalizations). The worker runs in its own process, exactly as `flask worker` would run the
task, so its wall time and peak RSS are its own. Then the same request bodies are POSTed again
with nothing else around them, for comparison.

    .venv/bin/python bench/fanout.py [--subscribers 100000]
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class FakeSendGrid:
    """Accepts mail/send, keeps the bodies, counts personalizations."""

    def __init__(self):
        self.bodies: list[bytes] = []
        self.personalizations = 0
        self.lock = threading.Lock()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                count = len(json.loads(body)["personalizations"])
                with bench.lock:
                    bench.bodies.append(body)
                    bench.personalizations += count
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def environment(workdir: Path, api_host: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "INSTANCE_PATH": str(workdir / "instance"),
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": "SG.bench",
        "SENDGRID_API_HOST": api_host,
        "MAIL_FROM": "Bench Status <status@example.com>",  # SendGrid needs a real domain
        "CRIER_SECRET_KEY": "bench-secret",
        "PUBLIC_BASE_URL": "https://status.example.com",
    }


def prepare(count: int) -> int:
    """Schema, subscribers and one posted update; returns the dispatch id (queued)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.core.uow import unit_of_work
    from app.extensions import db
    from app.incidents.drafts import UpdateDraft
    from app.incidents.updates import post_update
    from app.models import Dispatch, Incident, Subscriber, User
    from app.sqltypes import utcnow

    app = create_app()
    with app.app_context():
        upgrade()
        now = utcnow()
        rows = [
            {
                "email": f"subscriber{i:06d}@example.org",
                "token_hash": secrets.token_hex(16),
                "confirmed_at": now,
                "created_at": now,
            }
            for i in range(count)
        ]
        db.session.execute(db.insert(Subscriber), rows)
        lead = User(email="lead@example.com", name="Lead", role="lead", password_hash="!")  # noqa: S106
        incident = Incident(title="Elevated API errors", state="investigating", lead=lead)
        db.session.add(incident)
        db.session.commit()
        # Setup is not the post: fold the bulk insert into the database file first.
        db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))

        started = time.perf_counter()
        # The Comms Lead's own unit of work: one commit with the dispatch rows, then enqueue.
        with unit_of_work():
            update = post_update(
                incident,
                UpdateDraft(
                    external_body="We are investigating elevated error rates on the **API**."
                ),
                state="identified",
                actor=lead,
            )
        posted_ms = (time.perf_counter() - started) * 1000
        dispatch_id = db.session.scalar(db.select(Dispatch.id).filter_by(update_id=update.id))
        print(f"post_update (update + dispatch rows, one commit, enqueue): {posted_ms:.1f} ms")
        return dispatch_id


def worker() -> None:
    """Run what the queue holds, as a Huey worker would; report own time and peak RSS."""
    from app import create_app
    from app.extensions import huey

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        while (task := huey.huey.dequeue()) is not None:
            huey.huey.execute(task)
        wall = time.perf_counter() - started
    print(json.dumps({"wall_s": wall, "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a
    child would report the peak of the parent it was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replay(url: str, bodies: list[bytes]) -> float:
    """POST the same bodies one after another with nothing else going on."""
    started = time.perf_counter()
    for body in bodies:
        request = urllib.request.Request(  # noqa: S310 - our own local http server
            f"{url}/v3/mail/send",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": "Bearer SG.bench"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310 - our own local server
            response.read()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()

    server = FakeSendGrid()
    with tempfile.TemporaryDirectory(prefix="crier-bench-") as tmp:
        env = environment(Path(tmp), server.url)
        os.environ.update(env)
        t0 = time.perf_counter()
        dispatch_id = prepare(args.subscribers)
        print(f"setup: {args.subscribers} subscribers in {time.perf_counter() - t0:.1f} s")
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--worker"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        process_wall = time.perf_counter() - started
        report = json.loads(out.stdout.strip().splitlines()[-1])
        check = subprocess.run(
            [sys.executable, "-c", _STATUS.format(dispatch_id)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    bodies, personalizations = list(server.bodies), server.personalizations
    replay_s = replay(server.url, bodies)
    mb = sum(len(b) for b in bodies) / 1e6
    print(f"dispatch {dispatch_id}: {check}")
    print(f"requests: {len(bodies)}  personalizations: {personalizations}  bodies: {mb:.1f} MB")
    print(f"worker fan-out: {report['wall_s']:.2f} s (process incl. start-up {process_wall:.2f} s)")
    print(f"worker peak RSS: {report['peak_rss_mb']:.0f} MB")
    print(f"just POSTing the same {len(bodies)} bodies: {replay_s:.2f} s")


_STATUS = (
    "from app import create_app; from app.extensions import db; from app.models import Dispatch\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    d = db.session.get(Dispatch, {0})\n"
    "    print(d.status, d.recipients_count, d.accepted_count, 'attempts', d.attempts)\n"
)


if __name__ == "__main__":
    main()
