"""Storm (not a test): readers hammer the public site while the lead posts an update every 2 s.

Starts `flask web` (2 workers x 4 threads) and a `flask worker` on a temporary SQLite database
and queue (or on DATABASE_URL / REDIS_URL when set), seeds the demo page, declares an incident
through the console, then for T seconds keeps N connections busy on `/`,
`/api/v2/summary.json` and `/history.atom` while an update is posted through the console
every 2 s. Prints requests/s, latency p50/p99, errors (must be 0) and staleness: the time from
the POST's answer until the update's text is served on every one of the three endpoints
(target p99 <= 2 s).

With ``--archive N`` the page first gets N past incidents over 50 more components (as
bench/publish_scale.py builds them, published in full before the storm), the readers are
wrk on `/` only, and the staleness is until the update shows on `/` (issue 10's target:
p99 <= 1 s at 10,000 past incidents while 128 connections read `/`).

    .venv/bin/python bench/storm.py [--connections 128] [--seconds 60] [--archive 10000]
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import subprocess
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
    wrk: dict | None = None  # with wrk as the readers: its requests, rate and percentiles

    def _reads(self) -> str:
        if self.wrk is None:
            lat = self.latencies
            return (
                f"requests       {len(lat)} in {self.seconds:.1f} s = {self.rate:.0f} req/s\n"
                f"latency        p50 {1000 * percentile(lat, 50):.1f} ms, "
                f"p99 {1000 * percentile(lat, 99):.1f} ms\n"
            )
        w = self.wrk
        return (
            f"requests       {w['requests']} in {self.seconds:.1f} s = {w['rate']:.0f} req/s "
            f"(wrk)\nlatency        p50 {w['p50']:.1f} ms, p99 {w['p99']:.1f} ms\n"
        )

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def report(self, target: float = 2.0) -> str:
        stale = self.staleness
        return (
            self._reads()
            + f"errors         {len(self.errors)}"
            + (f" (first: {self.errors[0]})" if self.errors else "")
            + f"\nupdates        {self.updates} posted\n"
            f"staleness      p50 {percentile(stale, 50):.2f} s, p99 {percentile(stale, 99):.2f} s, "
            f"max {max(stale, default=0):.2f} s (target p99 <= {target:g} s)"
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


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_reads(base_url: str, path: str, *, connections: int, seconds: float, result) -> None:
    """``connections`` keep-alive connections on ``path`` for ``seconds``, from wrk (C, two
    threads: the load costs the server's cores far less than Python readers would)."""
    out = subprocess.run(
        [
            *("wrk", "-t2", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "10s"),
            *("--latency", base_url + path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result.wrk = {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(*re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out).groups()),
        "p99": _ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()),
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    if bad:
        result.errors.append(f"GET {path}: {bad.group(1)} error responses (wrk)")
    if socket:
        result.errors.append(f"GET {path}: socket errors: {socket.group(1)} (wrk)")


def run_storm(
    base_url: str,
    post_update: Callable[[str], None],
    *,
    connections: int,
    seconds: float,
    interval: float = 2.0,
    paths: tuple[str, ...] = PATHS,
    use_wrk: bool = False,
) -> StormResult:
    """Load ``paths`` from ``connections`` threads for ``seconds`` while ``post_update(text)``
    runs every ``interval`` s; measure latency, errors and how stale each update was (until
    it shows on every one of ``paths``). ``use_wrk``: wrk reads ``paths[0]`` instead."""
    stop = threading.Event()
    lock = threading.Lock()
    result = StormResult(seconds=seconds)
    watchers = []

    def read(n: int):
        reader, latencies, errors = Reader(base_url), [], []
        i = n
        while not stop.is_set():
            path = paths[i % len(paths)]
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
        while len(seen) < len(paths) and time.monotonic() - posted < NEVER:
            for path in paths:
                if path not in seen and needle in reader.get(path)[1]:
                    seen[path] = time.monotonic() - posted
            time.sleep(0.02)
        reader.close()
        with lock:
            if len(seen) < len(paths):
                result.errors.append(f"{marker} never shown on {set(paths) - set(seen)}")
                result.staleness.append(NEVER)
            else:
                result.staleness.append(max(seen.values()))

    def post():
        run = secrets.token_hex(3)
        n = 0
        next_at = time.monotonic()
        while not stop.wait(max(0.0, next_at - time.monotonic())):
            n += 1
            marker = f"STORM_{run}_{n:04d}"  # never shaped like a ticket id (JIRA-123)
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

    if use_wrk:
        load = dict(connections=connections, seconds=seconds, result=result)
        threads = [threading.Thread(target=wrk_reads, args=(base_url, paths[0]), kwargs=load)]
    else:
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


def add_archive(stack: Stack, count: int) -> None:
    """``count`` past incidents over 50 more components in the stack's database, as
    bench/publish_scale.py builds them, then the whole site published once."""
    sys.path.insert(0, str(ROOT / "bench"))
    from publish_scale import build_archive

    from app import create_app
    from app.extensions import db
    from app.publishing.publish import publish_site

    env = stack.env
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "INSTANCE_PATH": env["INSTANCE_PATH"]})
    with app.app_context():
        started = time.monotonic()
        build_archive(count)
        publish_site()
        print(
            f"archive: {count} past incidents built and published in "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between updates")
    parser.add_argument("--archive", type=int, default=0, help="past incidents to add first")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crier-storm-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'crier.db'}"
    stack = Stack(work, database_url=database, redis_url=os.environ.get("REDIS_URL"))
    try:
        stack.flask("db", "upgrade")
        stack.flask("seed-demo")
        if args.archive:
            add_archive(stack, args.archive)
        email, password = (work / "instance" / "demo-login.txt").read_text().split()
        stack.start_web()
        stack.start_worker()
        console = Console(stack.url)
        console.login(email, password)
        incident = declare(console, "Storm: elevated error rates")
        queue = "Redis" if os.environ.get("REDIS_URL") else "SQLite"
        paths = ("/",) if args.archive else PATHS
        print(
            f"storm: {args.connections} connections for {args.seconds:.0f} s on "
            f"{', '.join(paths)}{' (wrk)' if args.archive else ''}; "
            f"{args.archive} past incidents; an update every {args.interval} s; "
            f"flask web (granian) 2 workers x 4 threads + 1 worker (2 threads); "
            f"{database.split(':')[0]} + {queue} queue; "
            f"{os.cpu_count()} CPUs shared with the load generator",
            flush=True,
        )
        result = run_storm(
            stack.url,
            console_poster(console, incident),
            connections=args.connections,
            seconds=args.seconds,
            interval=args.interval,
            paths=paths,
            use_wrk=bool(args.archive),
        )
        print(result.report(target=1.0 if args.archive else 2.0))
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
