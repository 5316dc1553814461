import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from huey.storage import RedisStorage, SqliteStorage

from app import tasks
from app.core.worker import worker_status
from app.extensions import db, huey
from app.models import WorkerHeartbeat
from app.sqltypes import utcnow
from tests.conftest import server_url

ROOT = Path(__file__).resolve().parent.parent


def heartbeats():
    return db.session.scalars(db.select(WorkerHeartbeat)).all()


def test_tasks_run_inside_the_app_context_in_immediate_mode(ctx):
    tasks.heartbeat.call_local()
    assert len(heartbeats()) == 1
    assert worker_status().stale is False


def test_worker_is_stale_after_three_minutes_of_silence(ctx):
    db.session.add(WorkerHeartbeat(worker="old:1", last_seen_at=utcnow() - timedelta(minutes=4)))
    db.session.commit()
    status = worker_status()
    assert status.stale and status.age_seconds >= 240


def _round_trip(app):
    """Enqueue the heartbeat on the app's real queue, then consume it as a worker would."""
    with app.app_context():
        queue = huey.lane  # the heartbeat runs on the publish lane
        queue.flush()
        queue.enqueue(tasks.heartbeat.s())
        assert queue.pending_count() == 1
        queue.execute(queue.dequeue())
        return len(heartbeats())


def test_sqlite_queue_in_instance_folder_carries_tasks(app, app_factory):
    queue_app = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=None)
    assert isinstance(huey.huey.storage, SqliteStorage)
    assert huey.huey.storage.filename == str(Path(queue_app.instance_path) / "queue.db")
    assert _round_trip(queue_app) == 1


def test_redis_queue_carries_tasks(app, app_factory):
    url = os.environ.get("REDIS_URL") or server_url("CRIER_TEST_REDIS_URL")
    queue_app = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=url)
    assert isinstance(huey.huey.storage, RedisStorage)
    assert _round_trip(queue_app) == 1


def start_worker(database_url, tmp_path, **env) -> subprocess.Popen:
    """`flask worker -w 1` on the test's database and a SQLite queue of its own, its output
    (stdout and stderr) piped as text."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CRIER_SECRET_KEY": "x",
        "EMAIL_BACKEND": "memory",
        "INSTANCE_PATH": str(tmp_path / "worker-instance"),
        **env,
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "-w", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_worker_command_checks_in_and_stops_on_ctrl_c(database_url, tmp_path, app):
    proc = start_worker(database_url, tmp_path)
    try:
        deadline = time.monotonic() + 30
        with app.app_context():
            while not heartbeats() and time.monotonic() < deadline:
                time.sleep(0.2)
                db.session.rollback()
            assert heartbeats(), "the worker never checked in"
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert "Worker started with 1 fan-out and 2 publish-lane threads" in output
    assert proc.returncode == 0, output


def test_worker_logs_sighup_and_its_stop_as_json_lines(database_url, tmp_path, app):
    proc = start_worker(database_url, tmp_path, LOG_FORMAT="json")
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()

    def started(times):
        """Both lanes' consumers have started ``times`` times (the signal handlers are set)."""
        deadline = time.monotonic() + 30
        while sum("commands are available" in line for line in lines) < 2 * times:
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        time.sleep(0.5)

    try:
        started(1)
        proc.send_signal(signal.SIGHUP)  # Huey's restart: a graceful stop, then exec again
        started(2)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(timeout=10)
        proc.stdout.close()
    assert proc.returncode == 0, "".join(lines)
    records = [json.loads(line) for line in lines if line.startswith("{")]
    messages = [r["message"] for r in records]
    assert any(m.startswith("worker: SIGHUP received: restarting") for m in messages), messages
    assert any(m.startswith("worker: SIGINT received: stopping") for m in messages), messages
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)


def test_a_worker_sent_sigterm_again_and_again_still_stops_gracefully(database_url, tmp_path):
    # `make run` is stopped with SIGTERM to its whole group and again from its own trap: a
    # handler entered while another held the stop event's lock once hung the worker for ever.
    proc = start_worker(database_url, tmp_path, LOG_FORMAT="json")
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while sum("commands are available" in line for line in lines) < 2:
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        time.sleep(0.5)
        for _ in range(2000):  # a burst: some land while an earlier handler is running
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=10)
        proc.stdout.close()
    messages = [json.loads(line)["message"] for line in lines if line.startswith("{")]
    assert proc.returncode == 0, "".join(lines)
    assert sum(m.startswith("worker: SIGTERM received: stopping") for m in messages) == 1
    assert "worker: every task has stopped" in messages
