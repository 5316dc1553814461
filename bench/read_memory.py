"""Read-path memory benchmark (not a test): a web process's RSS as the archive grows.

For each archive size it seeds the demo page with N past incidents in a temporary instance
(the demo seeder that `flask seed-demo --past-incidents N` runs; the command stops at 5,000),
publishes it, starts `flask web` with one worker process serving it, reads `/` and then
1,000 random old incident pages (each read from the database into the bounded LRU,
``ARTIFACT_CACHE_BYTES``), and prints the worker's resident memory. Needs the project's
.venv; installs nothing.

    .venv/bin/python bench/read_memory.py [--sizes 100 1000 10000] [--reads 1000]
"""

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from read_path import BIN, ROOT, flask, free_port, wait_for


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(master: int) -> int:
    """The one worker process of the web server ``master`` (its child running Python)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for task in Path(f"/proc/{master}/task").iterdir():
            for child in (task / "children").read_text().split():
                if "resource_tracker" not in Path(f"/proc/{child}/cmdline").read_text():
                    return int(child)
        time.sleep(0.2)
    raise RuntimeError("the web server started no worker")


def get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - local URL
        response.read()


def measure(size: int, reads: int, work: Path) -> tuple[float, float, float, int]:
    """(RSS after `/`, RSS after the reads, seconds to seed + publish, incident pages)."""
    env = {
        **os.environ,
        "INSTANCE_PATH": str(work / "instance"),
        "DATABASE_URL": f"sqlite:///{work / 'crier.db'}",
        "CRIER_SECRET_KEY": "bench",
        "EMAIL_BACKEND": "memory",
    }
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    flask(env, "db", "upgrade")
    seed = "from app import create_app\nfrom app.core.uow import unit_of_work\n"
    seed += "from app.demo import seed_demo\n"
    seed += "with create_app().app_context(), unit_of_work():\n"
    seed += f"    seed_demo(past_incidents={size})"
    subprocess.run([str(BIN / "python"), "-c", seed], cwd=ROOT, env=env, check=True)
    flask(env, "publish")
    setup = time.monotonic() - started
    with sqlite3.connect(work / "crier.db") as conn:
        paths = [
            row[0]
            for row in conn.execute(
                "SELECT path FROM published_artifacts WHERE path LIKE '/incidents/%' AND NOT gone"
            )
        ]
    port = free_port()
    sys.path.insert(0, str(ROOT))
    from app.cli import default_web_threads, web_server_args

    proc = subprocess.Popen(
        web_server_args(host="127.0.0.1", port=port, workers=1, threads=default_web_threads()),
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        worker = worker_pid(proc.pid)
        after_index = rss_mb(worker)
        rng = random.Random(size)
        for path in rng.choices(paths, k=reads):
            get(base + path)
        return after_index, rss_mb(worker), setup, len(paths)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--reads", type=int, default=1000)
    args = parser.parse_args()
    if not (BIN / "granian").exists():
        print("bench/read_memory.py needs .venv/bin/granian (run `make test` first)")
        return 2
    budget = os.environ.get("CRIER_ARTIFACT_CACHE_BYTES", "default")
    print(
        f"one web worker (granian, flask web's threads); ARTIFACT_CACHE_BYTES={budget}; "
        f"{args.reads} random reads"
    )
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="crier-mem-"))
        try:
            after_index, after_reads, setup, pages = measure(size, args.reads, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(
            f"{size:6d} past incidents ({pages} pages, seeded+published in {setup:5.0f} s): "
            f"RSS {after_index:6.1f} MiB after /, {after_reads:6.1f} MiB after the reads "
            f"(target <= 150)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
