"""Several machines on one database and queue: publishers that race, a publisher or worker
that dies or is stopped, and (lane 2) two web nodes and two workers as real processes."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import current_app

from app.core.worker import clear_stop, request_stop
from app.extensions import db
from app.models import Dispatch, DispatchStatus, PublishedArtifact, Update
from app.publishing.changes import pending
from app.publishing.publish import current_generation, publish_changes, publish_site
from tests.factories import (
    create_component,
    create_incident,
    create_subscribers,
    create_user,
    record_change,
)
from tests.livestack import fetch, wait_until
from tests.test_crash import declare, sign_in

lane2 = pytest.mark.lane2

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
        try:
            with app_factory().app_context():
                for n in range(1, last + 1):
                    db.session.execute(
                        db.update(type(incident))
                        .filter_by(public_id=public_id)
                        .values(title=f"Outage v{n}")
                    )
                    record_change(incident=public_id)
        except Exception as exc:  # e.g. starved of the write lock: fail, never hang
            errors.append(exc)
        finally:
            done.set()

    def publisher():  # a worker on another node, publishing whatever waits
        try:
            # The app whose templates publish_site() above compiled: CPython 3.11 may fail
            # compiling in several threads at once (gh-106905, "AST constructor recursion
            # depth mismatch"); each thread still has its own context, session and connection.
            with app.app_context():
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


def test_publishers_racing_writers_that_add_pages_never_fail_on_a_path_stored_twice(
    app, app_factory, ctx
):
    """Leads declare incidents (new pages) while an admin changes the settings (a whole-site
    re-publish) and two publishers take what waits: every publish succeeds, each path is
    stored once, every new page is live."""
    create_incident(title="Outage v0", is_public=True)
    publish_site()
    done = threading.Event()
    errors, declared = [], []

    def writer():  # the console on another node: each change committed with its outbox row
        try:
            with app_factory().app_context():
                for n in range(1, 13):
                    if n % 4 == 1:
                        record_change(everything=True)  # a settings change
                    incident = create_incident(title=f"Outage v{n}", is_public=True)
                    declared.append(incident.public_id)
                    record_change(incident=incident.public_id)
        except Exception as exc:
            errors.append(exc)
        finally:
            done.set()

    def publisher():
        try:
            with app.app_context():  # see the test above: one app's compiled templates
                while not done.is_set() or pending():
                    publish_changes()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=publisher) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    db.session.rollback()
    paths = db.session.scalars(db.select(PublishedArtifact.path)).all()
    assert len(paths) == len(set(paths))
    assert {f"/incidents/{public_id}" for public_id in declared} <= set(paths)


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
        "from app.publishing import publish as p\n"
        "from app.publishing.changes import render_changes\n"
        "g = p._claim_generation().number; b = render_changes()\n"
        "p._store(b.site, g, expected=b.expected)\n"
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
        queue = huey.lane
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


# --- Lane 2: two web nodes and two workers as real processes ----------------------------------


def _dispatch(update_marker: str):
    db.session.rollback()
    query = db.select(Dispatch).join(Update).where(Update.external_body.contains(update_marker))
    return db.session.scalar(query)


def _sent_by(server, dispatch_id: int) -> list[str]:
    return [
        to["email"]
        for r in server.accepted
        if r.body.get("custom_args", {}).get("dispatch_id") == str(dispatch_id)
        for p in r.body["personalizations"]
        for to in p["to"]
    ]


def _sender(stack_workers, dispatch_id: int, server, batches: int):
    """The worker process running the dispatch, once ``batches`` batches of it went out."""

    def running():
        d = _dispatch_by_id(dispatch_id)
        sent = len(_sent_by(server, dispatch_id)) >= batches * 1000
        return d if sent and d.status == DispatchStatus.running and d.owner else None

    owner = wait_until(running, timeout=30, what=f"{batches} batches sent").owner
    pid = int(owner.split(":")[1])
    return next(w for w in stack_workers if w.pid == pid)


def _dispatch_by_id(dispatch_id: int):
    db.session.rollback()
    return db.session.get(Dispatch, dispatch_id)


def _finished(dispatch_id: int):
    d = _dispatch_by_id(dispatch_id)
    return d if d.status in (DispatchStatus.sent, DispatchStatus.failed) else None


@lane2
def test_two_nodes_serve_each_others_updates_and_a_dead_or_stopped_sender_costs_seconds(
    ctx, live_stack, sendgrid_server
):
    create_user(email="lead@example.com", role="lead")
    create_component(slug="api", name="API")
    everyone = {f"user{i:06d}@example.net" for i in range(5000)}
    create_subscribers(len(everyone))
    sendgrid_server.delay = 0.4  # 5 batches of 1,000: 2 s, so a kill lands mid-way
    env = {
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": "SG.test-key",
        "SENDGRID_API_HOST": sendgrid_server.url,
        "CRIER_DISPATCH_LEASE_SECONDS": 8,  # a kill is seen at once (the advisory lock)
    }
    node_a, node_b = live_stack(**env), live_stack(**env)
    workers = []
    for node in (node_a, node_b):
        node.start_web(workers=1, threads=4)
        workers.append(node.start_worker())
    console = sign_in(node_a)

    # An update posted through node A is served by node B.
    incident = declare(console, "Cross-node outage")
    posted = time.monotonic()
    wait_until(lambda: "Cross-node outage" in fetch(node_b.url + "/")[1], timeout=10,
               what="node B to serve node A's incident")  # fmt: skip
    staleness = time.monotonic() - posted
    assert staleness < current_app.config.get("PUBLISH_CHECK_SECONDS", 0.5) + 5, staleness

    # kill -9 the worker sending a 5,000-recipient dispatch: the other takes over.
    path = f"/admin/incidents/{incident}/updates/new"
    fields = {"state": "identified", "external_body": "KILLED_1 mid-send", "notify": "y"}
    assert console.post(path, fields, follow=False)[0] == 302
    first = _dispatch("KILLED_1").id
    victim = _sender(workers, first, sendgrid_server, batches=2)
    node_a.kill_worker(victim) if victim in node_a.workers else node_b.kill_worker(victim)
    done = wait_until(lambda: _finished(first), timeout=60, what="the other worker to finish")
    sent = _sent_by(sendgrid_server, first)
    duplicates = len(sent) - len(set(sent))
    assert set(sent) == everyone and done.status == DispatchStatus.sent
    takeovers = done.attempts - 1  # each adds at most the one batch in flight
    assert duplicates <= done.possible_duplicates <= 1000 * takeovers, (duplicates, done)

    # SIGTERM the sender of the next one (a deploy): handed back, continued, nobody twice.
    survivor = next(w for w in workers if w is not victim)
    workers.append(node_a.start_worker() if victim in node_a.workers else node_b.start_worker())
    fields = {"state": "monitoring", "external_body": "STOPPED_2 by a deploy", "notify": "y"}
    assert console.post(path, fields, follow=False)[0] == 302
    second = _dispatch("STOPPED_2").id
    sender = _sender([survivor, workers[-1]], second, sendgrid_server, batches=1)
    node = node_a if sender in node_a.workers else node_b
    # Within its shutdown timeout (a loaded CI machine is slow to exit; the bench has the figure).
    assert node.stop_worker(sender, timeout=60) < 30 and sender.returncode == 0, node.log("worker")
    done = wait_until(lambda: _finished(second), timeout=60, what="the dispatch to finish")
    sent = _sent_by(sendgrid_server, second)
    assert sorted(sent) == sorted(everyone) and done.possible_duplicates == 0
