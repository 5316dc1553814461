"""Slow receiver (not a test): reads of `/` per second while Crier delivers to webhook
receivers that answer one byte a second, and while anonymous visitors aim subscriptions at them.

Starts `flask web` (2 workers x 4 threads) and a `flask worker` (2 threads) on a temporary
SQLite database and queue (or DATABASE_URL / REDIS_URL when set), seeds the demo page, adds
``--slow`` confirmed webhook subscribers on a trickling receiver (tests/hostile/trickle.py) and
one fast one, then for T seconds keeps N connections reading `/` in three phases: quiet; while
``--challenges`` anonymous subscriptions to the receiver are challenged; while an update's
webhook dispatch is delivered to it. Prints reads/s, p50/p99/max latency and errors per
phase, and when the fast subscriber had its delivery.

    .venv/bin/python bench/slow_receiver.py [--connections 16] [--seconds 8] [--slow 4]
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.storm import Reader, percentile  # noqa: E402
from tests.hostile.trickle import TricklingServer  # noqa: E402
from tests.livestack import Console, Stack, wait_until  # noqa: E402
from tests.servers import HookServer  # noqa: E402


def read_for(base: str, connections: int, seconds: float) -> tuple[list[float], list[str]]:
    """Read `/` from ``connections`` threads for ``seconds``; (latencies, errors)."""
    stop, lock = threading.Event(), threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def read():
        reader, mine, bad = Reader(base), [], []
        while not stop.is_set():
            began = time.perf_counter()
            try:
                status, _ = reader.get("/")
            except OSError as exc:
                bad.append(repr(exc))
                reader.close()
                continue
            mine.append(time.perf_counter() - began)
            if status != 200:
                bad.append(f"HTTP {status}")
        reader.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=read) for _ in range(connections)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(60)
    return latencies, errors


def report(name: str, seconds: float, latencies: list[float], errors: list[str]) -> None:
    lat = latencies or [0.0]
    print(
        f"{name:<24} {len(latencies) / seconds:7.0f} reads/s of /   "
        f"p50 {1000 * percentile(lat, 50):6.1f} ms  p99 {1000 * percentile(lat, 99):7.1f} ms  "
        f"max {1000 * max(lat):7.1f} ms  errors {len(errors)}",
        flush=True,
    )


def add_subscribers(stack: Stack, urls: list[str]) -> None:
    from app import create_app
    from app.extensions import db
    from app.models import Channel, HookSubscriber
    from app.sqltypes import utcnow

    env = stack.env
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "INSTANCE_PATH": env["INSTANCE_PATH"]})
    with app.app_context():
        for n, url in enumerate(urls):
            db.session.add(HookSubscriber(kind=Channel.webhook, url=url, token_hash=f"b{n:031d}",
                                          secret="whsec_bench",  # noqa: S106 - a bench's
                                          confirmed_at=utcnow()))  # fmt: skip
        db.session.commit()
        db.engine.dispose()


def subscribe(base: str, url: str) -> None:
    visitor = Console(base)
    _status, html = visitor.get("/subscribe/webhook")
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = urllib.parse.urlencode({"csrf_token": token, "kind": "webhook", "url": url}).encode()
    with visitor.opener.open(base + "/subscribe/webhook", data=data, timeout=60) as response:
        response.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--slow", type=int, default=4, help="slow subscribers")
    parser.add_argument("--challenges", type=int, default=12)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crier-slow-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'crier.db'}"
    stack = Stack(
        work,
        database_url=database,
        redis_url=os.environ.get("REDIS_URL"),
        CRIER_HOOK_SUBSCRIBERS_ALLOW_PRIVATE="true",  # the receivers are on 127.0.0.1
        CRIER_HOOK_RETRIES="0",
        CRIER_HOOK_TIMEOUT_SECONDS="30",  # the longest a receiver may hold a delivery
    )
    slow = TricklingServer(mode="headers", interval=1.0).start()
    fast = HookServer().start()
    errors = 0
    try:
        stack.flask("db", "upgrade")
        stack.flask("seed-demo")
        add_subscribers(stack, [slow.url + f"/s{n}" for n in range(args.slow)] + [fast.url])
        email, password = (work / "instance" / "demo-login.txt").read_text().split()
        stack.start_web(workers=2, threads=4)
        stack.start_worker(threads=2)
        console = Console(stack.url)
        console.login(email, password)
        print(
            f"slow receiver: one byte a second; {args.slow} slow subscribers + 1 fast; "
            f"{args.connections} connections reading / for {args.seconds:g} s per phase; "
            f"{os.cpu_count()} CPUs shared with the receiver and the readers",
            flush=True,
        )
        lat, err = read_for(stack.url, args.connections, args.seconds)
        report("quiet", args.seconds, lat, err)
        errors += len(err)

        for n in range(args.challenges):
            subscribe(stack.url, slow.url + f"/c{n}")
        wait_until(lambda: slow.open >= 1, timeout=30, what="a challenge on the wire")
        lat, err = read_for(stack.url, args.connections, args.seconds)
        report(f"{args.challenges} challenges", args.seconds, lat, err)
        errors += len(err)
        wait_until(lambda: slow.open == 0, timeout=120, what="the challenges to end")

        posted = time.monotonic()
        status, _ = console.post(
            "/admin/incidents/new",
            {"title": "Slow receivers", "severity": "SEV2", "state": "investigating",
             "external_body": "Looking into it.", "is_public": "y", "notify": "y"},
            follow=False,
        )  # fmt: skip
        assert status == 302, status
        wait_until(lambda: fast.hits, timeout=60, what="the fast subscriber's delivery")
        took = time.monotonic() - posted
        print(f"the fast subscriber had its delivery {took:.1f} s after the update's POST; "
              f"{slow.open} requests held by the slow receiver", flush=True)  # fmt: skip
        lat, err = read_for(stack.url, args.connections, args.seconds)
        report("delivering to slow ones", args.seconds, lat, err)
        errors += len(err)
        print(f"{slow.open} requests still held by the slow receiver at the end of the phase")
        print(f"slow receiver got {slow.count('delivery')} deliveries for {args.slow} subscribers")
    finally:
        stack.stop()
        slow.stop()
        fast.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
