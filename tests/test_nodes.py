"""Several machines on one database and queue: publishers that race, a publisher or worker
that dies or is stopped, and (lane 2) two web nodes and two workers as real processes."""

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from app.core.worker import clear_stop, request_stop
from app.extensions import db
from app.models import PublishedArtifact
from app.publishing.changes import pending, record_change
from app.publishing.publish import current_generation, publish_changes, publish_site
from tests.factories import create_incident

ROOT = Path(__file__).resolve().parent.parent


def _live_page() -> tuple[int, str]:
    """(generation, body) of the stored status page, as every web process would serve it."""
    db.session.rollback()
    row = db.session.scalar(db.select(PublishedArtifact).filter_by(path="/"))
    return row.generation, row.body.decode()


def _version(body: str) -> int:
    return max(int(n) for n in re.findall(r"Outage v(\d+)", body))


# --- One publisher at a time across nodes -----------------------------------------------------


def test_publishers_racing_never_leave_an_older_generation_live_after_a_newer_one(
    app, app_factory, ctx
):
    incident = create_incident(title="Outage v0", is_public=True)
    public_id = incident.public_id
    publish_site()
    last = 12
    done = threading.Event()
    errors = []

    def editor():  # the lead, on node A: each change is committed with its outbox row
        with app_factory().app_context():
            for n in range(1, last + 1):
                db.session.execute(
                    db.update(type(incident)).filter_by(public_id=public_id).values(
                        title=f"Outage v{n}"
                    )
                )
                record_change(incident=public_id)
        done.set()

    def publisher():  # a worker on another node, publishing whatever waits
        try:
            with app_factory().app_context():
                while not done.is_set() or pending():
                    publish_changes()
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=editor)] + [
        threading.Thread(target=publisher) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    seen = []
    while any(t.is_alive() for t in threads):
        seen.append(_live_page())
    for thread in threads:
        thread.join()
    assert not errors, errors
    seen.append(_live_page())
    seen.sort()
    versions = [_version(body) for _generation, body in seen]
    assert versions == sorted(versions), "a newer generation showed an older title"
    assert versions[-1] == last  # the last change is live, not an earlier one


def test_a_publisher_killed_mid_generation_is_finished_by_the_next_publish(
    app, database_url, tmp_path, ctx
):
    incident = create_incident(title="Outage v0", is_public=True)
    publish_site()
    before = current_generation()
    incident.title = "Outage v1"
    db.session.commit()
    record_change(incident=incident.public_id)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CRIER_SECRET_KEY": app.config["SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path / "publisher"),
    }
    # The first half of publish_changes: the generation claimed, the change rendered and
    # stored, then the machine dies before the commit.
    code = (
        "import time; from app import create_app; app = create_app(); app.app_context().push()\n"
        "from app.publishing import publish as p; from app.publishing.changes import render_changes\n"
        "g = p._claim_generation(); b = render_changes(); p._store(b.site, g, expected=b.expected)\n"
        "print('stored', flush=True); time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout.readline().strip() == "stored"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    assert pending() and current_generation() == before  # nothing of it was committed
    assert publish_changes() == before + 1
    assert not pending()
    assert _version(_live_page()[1]) == 1


def test_a_stopping_worker_leaves_the_rest_of_a_re_publish_queued(app, app_factory):
    from app import tasks
    from app.extensions import huey

    queue_app = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=None)
    with queue_app.app_context():
        queue = huey.huey
        queue.flush()
        create_incident(title="Outage v0", is_public=True)
        record_change(everything=True)
        request_stop()  # SIGTERM arrived while the publish task was being taken
        try:
            tasks.publish.call_local()
        finally:
            clear_stop()
        assert pending() and queue.pending_count() == 1  # handed on, not dropped
        queue.execute(queue.dequeue())
        assert not pending()
