"""Who runs a dispatch: a short lease, a graceful stop that hands it back, duplicates told."""

import threading
from collections import Counter
from datetime import timedelta

import pytest

from app.core.worker import clear_stop, request_stop
from app.extensions import db
from app.fanout import lease
from app.fanout.dispatch import run_dispatch, sweep_dispatches
from app.models import Dispatch, DispatchStatus
from app.sqltypes import utcnow
from tests.factories import create_subscribers
from tests.fanout.test_dispatch_resume import written_dispatch


@pytest.fixture(autouse=True)
def _no_stop_left_behind():
    yield
    clear_stop()


def reread(dispatch_id):
    db.session.expire_all()
    return db.session.get(Dispatch, dispatch_id)


def test_a_dead_workers_dispatch_is_handed_back_once_its_lease_lapses_not_minutes_later(
    sendgrid_app,
):
    dispatch = written_dispatch()
    assert lease.claim(dispatch.id)  # a worker takes it, then dies without a word
    lease_seconds = sendgrid_app.config["DISPATCH_LEASE_SECONDS"]
    assert lease_seconds <= 15
    assert sweep_dispatches(now=utcnow() + timedelta(seconds=lease_seconds - 2)) == []
    assert sweep_dispatches(now=utcnow() + timedelta(seconds=lease_seconds + 1)) == [dispatch.id]
    handed = reread(dispatch.id)
    assert (handed.status, handed.owner, handed.lease_until) == (DispatchStatus.pending, None, None)
    assert sweep_dispatches() == []  # handed back once: not enqueued again at every sweep


def test_the_sweep_of_many_workers_enqueues_a_lost_pending_dispatch_once_per_grace(sendgrid_app):
    dispatch = written_dispatch()
    later = utcnow() + timedelta(seconds=sendgrid_app.config["DISPATCH_PENDING_GRACE_SECONDS"] + 1)
    assert sweep_dispatches(now=later) == [dispatch.id]
    assert sweep_dispatches(now=later + timedelta(seconds=2)) == []


def test_a_run_that_lost_its_lease_can_record_nothing_over_its_successor(
    sendgrid_app, sendgrid_server
):
    create_subscribers(3)
    dispatch = written_dispatch()
    first = lease.claim(dispatch.id)
    dispatch.lease_until = utcnow() - timedelta(seconds=1)  # the first run paused too long
    db.session.commit()
    assert run_dispatch(dispatch.id).status == DispatchStatus.sent  # another worker takes over
    assert not lease.record(dispatch, first, cursor=0)
    assert not lease.release(dispatch, first, DispatchStatus.pending)
    done = reread(dispatch.id)
    assert (done.status, done.accepted_count, done.attempts) == (DispatchStatus.sent, 3, 2)


def test_a_takeover_counts_the_batch_in_flight_as_possible_duplicates(sendgrid_app):
    dispatch = written_dispatch()
    owner = lease.claim(dispatch.id)
    assert lease.record(dispatch, owner, in_flight=1000)  # marked, then the worker died
    dispatch.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sweep_dispatches() == [dispatch.id]
    taken = reread(dispatch.id)
    assert (taken.possible_duplicates, taken.in_flight) == (1000, 0)


def test_a_stop_request_ends_the_run_after_its_batch_and_hands_it_back_at_the_cursor(
    sendgrid_app, sendgrid_server
):
    create_subscribers(5000)
    dispatch = written_dispatch()
    dispatch_id = dispatch.id  # the threads share no ORM object
    sendgrid_server.delay = 0.2

    def worker():
        with sendgrid_app.app_context():
            run_dispatch(dispatch_id)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        deadline = utcnow() + timedelta(seconds=30)
        while len(sendgrid_server.requests) < 1 and utcnow() < deadline:
            threading.Event().wait(0.02)
        request_stop()  # SIGTERM: the batch on the wire is finished, no other is started
    finally:
        thread.join(30)
    handed = reread(dispatch.id)
    assert handed.status == DispatchStatus.pending
    assert (handed.owner, handed.lease_until, handed.in_flight) == (None, None, 0)
    assert 0 < handed.accepted_count < 5000
    assert handed.accepted_count == len(sendgrid_server.delivered_to())
    assert handed.possible_duplicates == 0

    clear_stop()
    sendgrid_server.delay = 0
    assert run_dispatch(dispatch.id).status == DispatchStatus.sent
    counts = Counter(sendgrid_server.delivered_to())
    assert len(counts) == 5000 and set(counts.values()) == {1}
    assert reread(dispatch.id).possible_duplicates == 0


def test_a_stop_request_ends_a_providers_backoff_with_nothing_in_flight(
    sendgrid_app, sendgrid_server
):
    create_subscribers(3)
    dispatch = written_dispatch()
    sendgrid_server.answer(429, headers={"Retry-After": "30"})
    threading.Timer(0.5, request_stop).start()
    started = utcnow()
    run_dispatch(dispatch.id)
    assert utcnow() - started < timedelta(seconds=5)  # not the provider's 30 s
    handed = reread(dispatch.id)
    assert (handed.status, handed.in_flight, handed.accepted_count) == (
        DispatchStatus.pending,
        0,
        0,
    )


def test_a_stopping_worker_puts_its_dispatch_task_back_on_the_queue(
    app, app_factory, sendgrid_server
):
    from app import tasks
    from app.extensions import huey

    queue_app = app_factory(
        HUEY_IMMEDIATE=False,
        REDIS_URL=None,
        EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.test-key",
        SENDGRID_API_HOST=sendgrid_server.url,
    )
    with queue_app.app_context():
        queue = huey.huey
        queue.flush()
        create_subscribers(2)
        dispatch = written_dispatch()
        tasks.run_dispatch(dispatch.id)
        request_stop()
        queue.execute(queue.dequeue())  # the task this worker took as it began to stop
        assert queue.pending_count() == 1 and sendgrid_server.requests == []
        clear_stop()
        queue.execute(queue.dequeue())  # another worker
        assert reread(dispatch.id).status == DispatchStatus.sent
        assert len(sendgrid_server.delivered_to()) == 2


def test_the_console_shows_possible_duplicates_beside_the_delivery_figures(app, client, ctx):
    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    create_user(email="lead@example.com", role="lead")
    dispatch = written_dispatch()
    dispatch.accepted_count, dispatch.possible_duplicates = 2500, 1000
    dispatch.status = DispatchStatus.sent
    db.session.commit()
    login(client, "lead@example.com", PASSWORD)
    incident = dispatch.update.incident
    page = client.get(f"/admin/incidents/{incident.public_id}/dispatches").get_data(as_text=True)
    assert "up to 1000 may have had it twice" in page
    assert "up to 1000 twice" in client.get("/admin/").get_data(as_text=True)


def test_smtp_batches_are_at_most_50_so_a_crash_repeats_few(smtp_app, smtp_server):
    from app.email import get_backend

    create_subscribers(120)
    dispatch = written_dispatch()
    assert get_backend().batch_size <= 50
    assert run_dispatch(dispatch.id).accepted_count == 120  # in three batches
    assert len(smtp_server.messages) == 120


@pytest.mark.lane2
def test_on_postgres_a_dead_workers_dispatch_is_handed_back_at_once_not_after_its_lease(
    sendgrid_app, database_url, tmp_path
):
    import os
    import signal
    import subprocess
    import sys

    from tests.livestack import ROOT

    dispatch = written_dispatch()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CRIER_SECRET_KEY": sendgrid_app.config["SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path / "worker"),
    }
    code = (  # what `flask worker` does first, then a claim, then the machine dies
        "import sys, time; from app import create_app; app = create_app()\n"
        "app.app_context().push(); from app.core.worker import hold_liveness_lock\n"
        "from app.fanout import lease; hold_liveness_lock()\n"
        "print(lease.claim(int(sys.argv[1])), flush=True); time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(dispatch.id)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    ) as worker:  # fmt: skip
        try:
            assert worker.stdout.readline().strip() not in ("", "None")
            assert sweep_dispatches() == []  # alive: its lock is held, its lease fresh
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
    # The server drops a dead session's locks at once; the lease has 15 s to go.
    deadline = utcnow() + timedelta(seconds=5)
    while (ids := sweep_dispatches()) == [] and utcnow() < deadline:
        threading.Event().wait(0.05)
    assert ids == [dispatch.id]


def test_a_batch_retried_after_a_providers_wait_is_marked_in_flight_again(
    sendgrid_app, sendgrid_server
):
    create_subscribers(3)
    dispatch_id = written_dispatch().id  # the threads share no ORM object
    sendgrid_server.answer(429, headers={"Retry-After": "1"})

    def worker():
        with sendgrid_app.app_context():
            run_dispatch(dispatch_id)

    def row():  # read beside the worker thread, on a connection of its own
        query = db.select(Dispatch.in_flight, Dispatch.last_error).filter_by(id=dispatch_id)
        with db.engine.connect() as conn:
            return conn.execute(query).one()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        deadline = utcnow() + timedelta(seconds=10)
        while "retry 1" not in (row().last_error or "") and utcnow() < deadline:
            threading.Event().wait(0.02)
        assert row().in_flight == 0  # refused: waiting, nothing out
        sendgrid_server.hold_after = 0  # the retry hangs on the wire
        assert sendgrid_server.holding.wait(10)
        assert row().in_flight == 3  # a death now may repeat these three
    finally:
        sendgrid_server.hold_after = None
        sendgrid_server.release.set()
        thread.join(30)
