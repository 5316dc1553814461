import signal
from collections import Counter
from datetime import timedelta

from app import tasks
from app.extensions import db
from app.fanout.dispatch import run_dispatch, sweep_dispatches
from app.models import Dispatch, DispatchStatus, Update
from app.sqltypes import utcnow
from tests.factories import create_incident, create_subscribers, write_dispatches
from tests.livestack import dispatch_process


def written_dispatch():
    """An update whose dispatch row is committed but whose task never ran (a crash)."""
    update = Update(incident=create_incident(), state="investigating", external_body="Down.")
    db.session.add(update)
    (dispatch,) = write_dispatches(update)
    return dispatch


def test_a_worker_killed_mid_dispatch_resumes_at_the_cursor_with_one_copy_each(
    sendgrid_app, sendgrid_server, database_url, tmp_path
):
    create_subscribers(2500)
    dispatch = written_dispatch()
    sendgrid_server.hold_after = 1  # accept one batch, then hang until the worker is killed
    worker = dispatch_process(
        dispatch.id,
        database_url=database_url,
        secret_key=sendgrid_app.config["SECRET_KEY"],
        instance_path=tmp_path / "worker",
        EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.test-key",
        SENDGRID_API_HOST=sendgrid_server.url,
        MAIL_FROM=sendgrid_app.config["MAIL_FROM"],  # SendGrid needs a real domain
    )
    try:
        assert sendgrid_server.holding.wait(30), "the worker never reached its second batch"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    sendgrid_server.hold_after = None
    sendgrid_server.release.set()

    db.session.expire_all()
    killed = db.session.get(Dispatch, dispatch.id)
    assert (killed.status, killed.accepted_count) == (DispatchStatus.running, 1000)
    assert killed.in_flight == 1000  # the second batch was on the wire
    assert sweep_dispatches() == []  # its lease has not lapsed yet
    later = utcnow() + timedelta(seconds=sendgrid_app.config["DISPATCH_LEASE_SECONDS"] + 1)
    assert sweep_dispatches(now=later) == [dispatch.id]  # handed back, pending

    resumed = run_dispatch(dispatch.id)
    assert (resumed.status, resumed.accepted_count) == (DispatchStatus.sent, 2500)
    assert resumed.possible_duplicates == 1000  # told: that batch may have gone out twice
    counts = Counter(sendgrid_server.delivered_to())
    assert len(counts) == 2500 and set(counts.values()) == {1}


def test_the_periodic_sweep_sends_dispatches_whose_task_was_lost(sendgrid_app, sendgrid_server):
    create_subscribers(5)
    dispatch = written_dispatch()
    assert sweep_dispatches() == []  # just written: its own task may still be on its way
    dispatch.updated_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    tasks.sweep_dispatches.call_local()
    db.session.expire_all()
    assert db.session.get(Dispatch, dispatch.id).status == DispatchStatus.sent
    assert len(sendgrid_server.delivered_to()) == 5


def test_a_running_dispatch_is_not_taken_by_a_second_worker(sendgrid_app, sendgrid_server):
    create_subscribers(2)
    dispatch = written_dispatch()
    dispatch.status = DispatchStatus.running
    db.session.commit()
    assert run_dispatch(dispatch.id) is None
    assert sendgrid_server.requests == []


def test_posting_only_enqueues_and_a_worker_sends_from_the_real_queue(
    app, app_factory, sendgrid_server
):
    from app.extensions import huey
    from tests.factories import post_update

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
        create_subscribers(3)
        update = post_update(create_incident())
        assert sendgrid_server.requests == [] and queue.pending_count() == 1
        queue.execute(queue.dequeue())
        (dispatch,) = db.session.scalars(db.select(Dispatch).filter_by(update_id=update.id))
        db.session.refresh(dispatch)
        assert dispatch.status == DispatchStatus.sent
        assert len(sendgrid_server.delivered_to()) == 3
