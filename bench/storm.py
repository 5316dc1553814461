"""Storm (not a test): readers hammer the public site while the lead posts an update every 2 s.

Starts gunicorn (2 workers x 4 threads) and a `flask worker` on a temporary SQLite database
and queue (or on DATABASE_URL / REDIS_URL when set), seeds the demo page, declares an incident
through the console, then for T seconds keeps N connections busy on `/`,
`/api/v2/summary.json` and `/history.atom` while an update is posted through the console
every 2 s. Prints requests/s, latency p50/p99, errors (must be 0) and staleness: the time from
the POST's answer until the update's text is served on every one of the three endpoints
(target p99 <= 2 s).

    .venv/bin/python bench/storm.py [--connections 128] [--seconds 60]
"""

import argparse
import http.client
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.livestack import Console, Stack, fetch  # noqa: E402

PATHS = ("/", "/api/v2/summary.json", "/history.atom")
NEVER = 30.0  # an update not visible after this long counts as never (and as an error)


@dataclass
class StormResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    staleness: list[float] = field(default_factory=list)
    updates: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def report(self) -> str:
        lat, stale = self.latencies, self.staleness
        return (
            f"requests       {len(lat)} in {self.seconds:.1f} s = {self.rate:.0f} req/s\n"
            f"latency        p50 {1000 * percentile(lat, 50):.1f} ms, "
            f"p99 {1000 * percentile(lat, 99):.1f} ms\n"
            f"errors         {len(self.errors)}"
            + (f" (first: {self.errors[0]})" if self.errors else "")
            + f"\nupdates        {self.updates} posted\n"
            f"staleness      p50 {percentile(stale, 50):.2f} s, p99 {percentile(stale, 99):.2f} s, "
            f"max {max(stale, default=0):.2f} s (target p99 <= 2 s)"
        )


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


class Reader:
    """One keep-alive connection; GETs like a browser (reconnects once if the server had
    closed an idle connection, which is not an error)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.conn = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            reused = attempt == 1 and self.conn.sock is not None
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if not reused:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_storm(
    base_url: str,
    post_update: Callable[[str], None],
    *,
    connections: int,
    seconds: float,
    interval: float = 2.0,
) -> StormResult:
    """Load ``PATHS`` from ``connections`` threads for ``seconds`` while ``post_update(text)``
    runs every ``interval`` s; measure latency, errors and how stale each update was."""
    stop = threading.Event()
    lock = threading.Lock()
    result = StormResult(seconds=seconds)
    watchers = []

    def read(n: int):
        reader, latencies, errors = Reader(base_url), [], []
        i = n
        while not stop.is_set():
            path = PATHS[i % len(PATHS)]
            i += 1
            began = time.perf_counter()
            try:
                status, _ = reader.get(path)
            except OSError as exc:
                errors.append(f"GET {path}: {exc!r}")
                reader.close()
                continue
            latencies.append(time.perf_counter() - began)
            if status != 200:
                errors.append(f"GET {path}: HTTP {status}")
        reader.close()
        with lock:
            result.latencies += latencies
            result.errors += errors

    def watch(marker: str, posted: float):
        """Poll every endpoint until each serves ``marker``; the staleness is the slowest."""
        reader, seen = Reader(base_url), {}
        needle = marker.encode()
        while len(seen) < len(PATHS) and time.monotonic() - posted < NEVER:
            for path in PATHS:
                if path not in seen and needle in reader.get(path)[1]:
                    seen[path] = time.monotonic() - posted
            time.sleep(0.02)
        reader.close()
        with lock:
            if len(seen) < len(PATHS):
                result.errors.append(f"{marker} never shown on {set(PATHS) - set(seen)}")
                result.staleness.append(NEVER)
            else:
                result.staleness.append(max(seen.values()))

    def post():
        run = secrets.token_hex(3)
        n = 0
        next_at = time.monotonic()
        while not stop.wait(max(0.0, next_at - time.monotonic())):
            n += 1
            marker = f"STORM-{run}-{n:04d}"
            try:
                post_update(f"{marker} We are still working on it.")
            except Exception as exc:  # a failed post is an error of the storm, not a crash
                with lock:
                    result.errors.append(f"POST {marker}: {exc!r}")
                continue
            watcher = threading.Thread(target=watch, args=(marker, time.monotonic()))
            watcher.start()
            watchers.append(watcher)
            next_at += interval
        with lock:
            result.updates = n

    threads = [threading.Thread(target=read, args=(n,)) for n in range(connections)]
    threads.append(threading.Thread(target=post))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    for watcher in watchers:
        watcher.join()
    return result


def console_poster(console: Console, incident_public_id: str) -> Callable[[str], None]:
    """Post an update (external text only, no emails) through the console's form."""

    def post_update(text: str) -> None:
        status, body = console.post(
            f"/admin/incidents/{incident_public_id}/updates/new",
            {"state": "identified", "external_body": text, "internal_body": ""},
            follow=False,
        )
        if status != 302:
            raise AssertionError(f"the update form answered {status}: {body[:300]}")

    return post_update


def declare(console: Console, title: str) -> str:
    """Declare an incident through the console; its public id."""
    status, body = console.post(
        "/admin/incidents/new",
        {
            "title": title,
            "severity": "SEV2",
            "state": "investigating",
            "external_body": title,
            "is_public": "y",
        },
        follow=False,
    )
    assert status == 302, f"declaring answered {status}: {body[:300]}"
    # Start from a steady state: the declaration published and served.
    deadline = time.monotonic() + 30
    while title not in fetch(console.base + "/")[1]:
        assert time.monotonic() < deadline, "the declared incident never reached the page"
        time.sleep(0.1)
    return console.last_location.rstrip("/").rsplit("/", 1)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between updates")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crier-storm-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'crier.db'}"
    stack = Stack(work, database_url=database, redis_url=os.environ.get("REDIS_URL"))
    try:
        stack.flask("db", "upgrade")
        stack.flask("seed-demo")
        email, password = (work / "instance" / "demo-login.txt").read_text().split()
        stack.start_web()
        stack.start_worker()
        console = Console(stack.url)
        console.login(email, password)
        incident = declare(console, "Storm: elevated error rates")
        queue = "Redis" if os.environ.get("REDIS_URL") else "SQLite"
        print(
            f"storm: {args.connections} connections for {args.seconds:.0f} s on "
            f"{', '.join(PATHS)}; an update every {args.interval} s; gunicorn 2 workers x 4 "
            f"threads + 1 worker (2 threads); {database.split(':')[0]} + {queue} queue; "
            f"{os.cpu_count()} CPUs shared with the load generator",
            flush=True,
        )
        result = run_storm(
            stack.url,
            console_poster(console, incident),
            connections=args.connections,
            seconds=args.seconds,
            interval=args.interval,
        )
        print(result.report())
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
