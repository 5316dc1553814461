"""`make run`'s script on an instance whose schema an older release left: it migrates, then
checks the configuration, and serves the demo (a check before the upgrade would call the old
schema a problem and stop)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.livestack import fetch, free_port

ROOT = Path(__file__).resolve().parent.parent
OLDER_RELEASE = "6c2f8e1d4a37"  # the schema head before this release's migrations


def test_make_run_upgrades_an_older_instance_and_serves(tmp_path):
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRIER_", "DATABASE_URL"))}
    env.pop("REDIS_URL", None)
    port = free_port()
    env.update(INSTANCE_PATH=str(tmp_path), PORT=str(port))
    subprocess.run(
        [*flask, "db", "upgrade", OLDER_RELEASE], cwd=ROOT, env=env, check=True,
        capture_output=True, timeout=120,
    )  # fmt: skip
    run = subprocess.Popen(
        [str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and run.poll() is None:
            try:
                status, body, _ = fetch(f"http://127.0.0.1:{port}/")
            except OSError:
                time.sleep(0.5)
                continue
            if status == 200:
                break
        assert run.poll() is None, run.stdout.read()
        assert status == 200 and "Status" in body
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            output, _ = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            output, _ = run.communicate(timeout=10)
            stuck = f"make run did not stop within 60 s of SIGTERM:\n{output}"
            raise AssertionError(stuck) from None
    assert "Crier is running at" in output and "Demo login:" in output
    assert "problem" not in output and "Traceback" not in output, output
