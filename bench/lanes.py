"""Lanes (not a test): how stale `/` gets while 10,000 emails go out through a slow SMTP server.

Starts `flask web` and one `flask worker` (default threads) on a temporary SQLite database and
queue (or on DATABASE_URL / REDIS_URL when set) with a local SMTP server that takes
``--delay`` seconds over each message. Two incidents are declared with "notify" ticked, each
to ``--subscribers`` confirmed subscribers (2 x 5,000 = 10,000 emails: both fan-out threads
busy), then, every ``--interval`` s while the email goes out, the lead posts an update without
email to a third incident and the time until `/` shows it is measured (the staleness). Also
prints the oldest the worker's heartbeat got (it must not miss its minute) and how many
emails went out. The run stops by itself after ``--seconds``.

    .venv/bin/python bench/lanes.py [--subscribers 5000] [--delay 0.01] [--seconds 150]
"""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tests.livestack import Console, Stack, fetch  # noqa: E402
from tests.servers import free_port  # noqa: E402

LEAD, PASSWORD = "lead@example.com", "bench-lanes-password-1"


class SlowSMTP:
    """Counts messages; each takes ``delay`` seconds (other connections go on meanwhile)."""

    def __init__(self, delay: float):
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.count += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def build(stack: Stack, subscribers: int) -> None:
    """The lead, a component and the subscribers, in the stack's database."""
    from app import create_app
    from app.extensions import db
    from tests.factories import create_component, create_subscribers, create_user

    env = stack.env
    app = create_app(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "INSTANCE_PATH": env["INSTANCE_PATH"],
            "LOG_LEVEL": "WARNING",  # this process also runs the SMTP server, chatty at INFO
        }
    )
    with app.app_context():
        create_user(email=LEAD, role="lead", password=PASSWORD)
        create_component(slug="api", name="API")
        create_subscribers(subscribers)
        db.engine.dispose()


def declare(console: Console, title: str, *, notify: bool) -> str:
    fields = {"title": title, "severity": "SEV2", "state": "investigating",
              "external_body": title, "is_public": "y"}  # fmt: skip
    if notify:
        fields["notify"] = "y"
    status, body = console.post("/admin/incidents/new", fields, follow=False)
    assert status == 302, f"declaring answered {status}: {body[:300]}"
    return console.last_location.rstrip("/").rsplit("/", 1)[-1]


class Heartbeat(threading.Thread):
    """Samples, every second, how long ago the worker last checked in; keeps the oldest."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
        self.oldest = 0.0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(1.0):
            with self.engine.connect() as conn:
                last = conn.scalar(text("SELECT max(last_seen_at) FROM worker_heartbeats"))
            if last is None:
                continue
            if isinstance(last, str):  # SQLite hands back text
                last = datetime.fromisoformat(last)
            last = last if last.tzinfo else last.replace(tzinfo=UTC)
            self.oldest = max(self.oldest, (datetime.now(UTC) - last).total_seconds())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000, help="per dispatch (x2)")
    parser.add_argument("--delay", type=float, default=0.01, help="SMTP seconds per message")
    parser.add_argument("--seconds", type=float, default=150, help="stop after this long")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between probes")
    args = parser.parse_args()
    smtp = SlowSMTP(args.delay)
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    work = Path(tempfile.mkdtemp(prefix="crier-lanes-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'crier.db'}"
    stack = Stack(
        work,
        database_url=database,
        redis_url=os.environ.get("REDIS_URL"),
        EMAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
    )
    staleness: list[float] = []
    heartbeat = Heartbeat(database)
    try:
        stack.flask("db", "upgrade")
        build(stack, args.subscribers)
        stack.start_web()
        stack.start_worker()
        console = Console(stack.url)
        console.login(LEAD, PASSWORD)
        total = 2 * args.subscribers
        queue = "Redis" if os.environ.get("REDIS_URL") else "SQLite"
        print(
            f"lanes: {total} emails through SMTP at {1000 * args.delay:.0f} ms a message; "
            f"{database.split(':')[0]} + {queue} queue; 1 worker (default threads); "
            f"an update without email every {args.interval:.0f} s for at most "
            f"{args.seconds:.0f} s",
            flush=True,
        )
        began = time.monotonic()
        heartbeat.start()
        declare(console, "Fan-out one", notify=True)
        declare(console, "Fan-out two", notify=True)
        probe = declare(console, "Probe incident", notify=False)
        n = 0
        while smtp.count < total and time.monotonic() - began < args.seconds:
            n += 1
            marker = f"Probe update {n}"
            status, body = console.post(
                f"/admin/incidents/{probe}/updates/new",
                {"state": "identified", "external_body": marker, "internal_body": ""},
                follow=False,
            )
            assert status == 302, f"the update form answered {status}: {body[:300]}"
            posted = time.monotonic()
            while marker not in fetch(stack.url + "/")[1]:
                if time.monotonic() - began > args.seconds:
                    break
                time.sleep(0.02)
            else:
                staleness.append(time.monotonic() - posted)
                print(f"  update {n}: on / after {staleness[-1]:.2f} s "
                      f"({smtp.count} emails out)", flush=True)  # fmt: skip
                time.sleep(args.interval)
                continue
            print(f"  update {n}: not on / after {time.monotonic() - posted:.1f} s (run ends)")
            staleness.append(time.monotonic() - posted)
            break
        wall = time.monotonic() - began
    finally:
        heartbeat.done.set()
        stack.stop()
        controller.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"staleness of /  p50 {percentile(staleness, 50):.2f} s, max {max(staleness):.2f} s "
        f"over {len(staleness)} updates\n"
        f"emails sent     {smtp.count} of {total} in {wall:.0f} s\n"
        f"heartbeat       oldest {heartbeat.oldest:.0f} s (a worker is stale after 180 s; "
        f"it checks in every minute)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
