"""Several nodes (not a test): what a dead or restarted worker costs a 20,000-recipient dispatch.

Starts two nodes on one PostgreSQL and one Redis (DATABASE_URL, REDIS_URL; a throwaway
database named crier_nodes_<random> is created on that server and dropped after), each
`flask web --workers 2` plus `flask worker --workers 2`, with a local SendGrid-compatible server
that takes ``--delay`` seconds per batch of 1,000. Then, through node A's console:

- staleness: ``--updates`` updates posted on node A; the time until node B's `/` serves each;
- baseline: an update to every subscriber, from the POST to the last address accepted;
- kill -9: the same, with the sending worker killed after a quarter of the batches and
  started again 2 s later; how soon another worker continued the dispatch, how much later it
  finished than the baseline (run before and after: the machine's noise), duplicates,
  reported, lost;
- SIGTERM: the same with SIGTERM (a deploy's restart).

Targets: kill -9 <= 15 s, SIGTERM <= 2 s, duplicates <= one batch and reported, 0 lost,
staleness p99 <= 2 s.

    DATABASE_URL=postgresql://... REDIS_URL=redis://... .venv/bin/python bench/nodes.py
"""

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.storm import console_poster, declare, percentile  # noqa: E402
from tests.livestack import Console, Stack, fetch, wait_until  # noqa: E402
from tests.servers import SendGridServer  # noqa: E402

PASSWORD = secrets.token_urlsafe(12)  # the lead of this throwaway page


def throwaway_database(url: str) -> tuple[str, callable]:
    """A new empty database on the server of ``url``; its URL and a function that drops it."""
    name = f"crier_nodes_{secrets.token_hex(4)}"
    admin = create_engine(url.replace("postgresql:", "postgresql+psycopg:", 1))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def seed(database_url: str, subscribers: int) -> None:
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from tests.factories import create_component, create_subscribers, create_user

    app = create_app({"CONFIG_CLASS": TestConfig, "DATABASE_URL": database_url})
    with app.app_context():
        create_user(email="lead@example.com", role="lead", password=PASSWORD)
        create_component(slug="api", name="API")
        create_subscribers(subscribers)
        db.engine.dispose()


class Bench:
    def __init__(self, database_url: str, nodes: list[Stack], server: SendGridServer):
        self.db = create_engine(database_url.replace("postgresql:", "postgresql+psycopg:", 1))
        self.nodes, self.server = nodes, server
        self.restarts: list[threading.Thread] = []  # joined before the nodes stop
        self.console = Console(nodes[0].url)
        self.console.login("lead@example.com", PASSWORD)
        self.incident = declare(self.console, "Several nodes: elevated errors")
        self.post = console_poster(self.console, self.incident)

    def row(self, marker: str):
        with self.db.connect() as conn:
            return conn.execute(
                text(
                    "SELECT d.id, d.status, d.owner, d.possible_duplicates FROM dispatches d "
                    "JOIN updates u ON u.id = d.update_id WHERE u.external_body LIKE :m"
                ),
                {"m": f"%{marker}%"},
            ).first()

    def staleness(self, updates: int) -> list[float]:
        seen = []
        for n in range(updates):
            marker = f"STALE_{n}_{secrets.token_hex(3)}"  # not shaped like a ticket id
            self.post(marker)
            posted = time.monotonic()
            wait_until(lambda m=marker: m in fetch(self.nodes[1].url + "/")[1], timeout=30,
                       interval=0.02, what="node B to serve the update")  # fmt: skip
            seen.append(time.monotonic() - posted)
            time.sleep(0.5)
        return seen

    def dispatch(self, label: str, everyone: int, disrupt=None) -> dict:
        """Post an update to everyone; optionally disrupt its sender a quarter of the way in.
        Seconds from the POST to the last address accepted, duplicates, reported, lost."""
        marker = f"{label}-{secrets.token_hex(3)}"
        self.console.post(
            f"/admin/incidents/{self.incident}/updates/new",
            {"state": "identified", "external_body": marker, "notify": "y"},
            follow=False,
        )
        posted = time.monotonic()
        dispatch_id = wait_until(lambda: self.row(marker), timeout=30, what="the dispatch")[0]
        if disrupt:
            quarter = everyone // 4
            wait_until(lambda: len(self.sent(dispatch_id)) >= quarter, timeout=120,
                       interval=0.02, what="a quarter sent")  # fmt: skip
            owner = self.row(marker)[2]
            disrupted = time.monotonic()
            disrupt(int(owner.split(":")[1]))
            wait_until(
                lambda: (r := self.row(marker))[2] not in (None, owner) or r[1] == "sent",
                timeout=600, interval=0.02, what="another worker to continue",
            )  # fmt: skip
            takeover = time.monotonic() - disrupted
        row = wait_until(lambda: (r := self.row(marker)) and r[1] == "sent" and r, timeout=600,
                         interval=0.05, what="the dispatch to finish")  # fmt: skip
        for thread in self.restarts:
            thread.join()
        took = time.monotonic() - posted
        sent = self.sent(dispatch_id)
        unique = set(sent)
        return {"seconds": took, "duplicates": len(sent) - len(unique), "reported": row[3],
                "lost": everyone - len(unique), "takeover": takeover if disrupt else 0}  # fmt: skip

    def sent(self, dispatch_id: int) -> list[str]:
        wanted = str(dispatch_id)
        return [
            to["email"]
            for r in list(self.server.requests)
            if r.status == 202 and r.body.get("custom_args", {}).get("dispatch_id") == wanted
            for p in r.body["personalizations"]
            for to in p["to"]
        ]

    def worker(self, pid: int):
        for node in self.nodes:
            for worker in node.workers:
                if worker.pid == pid:
                    return node, worker
        raise AssertionError(f"no worker with pid {pid}")

    def kill(self, pid: int) -> None:
        node, worker = self.worker(pid)
        node.kill_worker(worker)
        self._restart(node, worker)

    def terminate(self, pid: int) -> None:
        node, worker = self.worker(pid)
        worker.send_signal(signal.SIGTERM)
        self._restart(node, worker)

    def _restart(self, node: Stack, worker) -> None:
        """Start the worker again 2 s after it exited (as the issue's run did), meanwhile."""

        def restart():
            worker.wait(60)
            time.sleep(2)
            node.start_worker()

        thread = threading.Thread(target=restart, daemon=True)
        thread.start()
        self.restarts.append(thread)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds per batch")
    parser.add_argument("--updates", type=int, default=20, help="for the staleness figure")
    parser.add_argument("--keep", action="store_true", help="keep the nodes' logs")
    args = parser.parse_args()
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL")
    if not url.startswith("postgres") or not redis_url:
        sys.exit("bench/nodes.py needs DATABASE_URL=postgresql://... and REDIS_URL=redis://...")
    from huey.storage import RedisStorage

    from app.extensions import QUEUE_NAMES

    for name in QUEUE_NAMES.values():
        RedisStorage(name=name, url=redis_url).flush_all()
    work = Path(tempfile.mkdtemp(prefix="crier-nodes-"))
    database_url, drop = throwaway_database(url)
    server = SendGridServer().start()
    server.delay = args.delay
    lease = os.environ.get("CRIER_DISPATCH_LEASE_SECONDS", "15 (default)")
    env = {"EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": "SG.bench",
           "SENDGRID_API_HOST": server.url}  # fmt: skip
    nodes = [Stack(work / n, database_url=database_url, redis_url=redis_url, **env) for n in "ab"]
    try:
        nodes[0].flask("db", "upgrade")
        seed(database_url, args.subscribers)
        for node in nodes:
            node.start_web(workers=2, threads=4)
            node.start_worker(threads=2)
        bench = Bench(database_url, nodes, server)
        batches = -(-args.subscribers // 1000)
        print(
            f"nodes: 2 x (flask web 2 workers + flask worker 2 threads) on PostgreSQL + Redis; "
            f"{args.subscribers} subscribers, SendGrid stand-in {args.delay} s per batch of "
            f"1,000 ({batches} batches); lease {lease} s; {os.cpu_count()} CPUs",
            flush=True,
        )
        stale = bench.staleness(args.updates)
        print(f"cross-node staleness  p50 {percentile(stale, 50):.2f} s, "
              f"p99 {percentile(stale, 99):.2f} s (target p99 <= 2 s)", flush=True)  # fmt: skip
        base = bench.dispatch("BASE", args.subscribers)
        print(f"baseline dispatch     {base['seconds']:.1f} s, duplicates {base['duplicates']}, "
              f"lost {base['lost']}", flush=True)  # fmt: skip
        disruptions = (("kill -9", bench.kill, 15), ("SIGTERM", bench.terminate, 2))
        runs = [
            (name, bench.dispatch(name.split()[0].upper(), args.subscribers, disrupt), target)
            for name, disrupt, target in disruptions
        ]
        again = bench.dispatch("BASE", args.subscribers)
        # The machine's own noise: the baseline run before and after the two disrupted ones.
        base_s = (base["seconds"] + again["seconds"]) / 2
        print(f"baseline again        {again['seconds']:.1f} s (mean {base_s:.1f} s)", flush=True)
        for name, r, target in runs:
            print(
                f"{name:<9} + restart   another worker continued {r['takeover']:.1f} s after the "
                f"signal (target <= {target} s); finished {r['seconds'] - base_s:+.1f} s vs the "
                f"mean baseline; duplicates {r['duplicates']} (reported {r['reported']}, one "
                f"batch = 1000), lost {r['lost']}",
                flush=True,
            )
    finally:
        for node in nodes:
            node.stop()
        server.stop()
        drop()
        if args.keep:
            print(f"logs in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
