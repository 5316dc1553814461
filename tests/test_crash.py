"""Crashes against the real stack: a worker killed mid-dispatch, PostgreSQL stopped under a
post, Redis gone while the lead posts. Nothing is lost, nothing is half-written."""

import os
import shutil
import time

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from app.models import Dispatch, DispatchStatus
from tests.factories import PASSWORD, create_component, create_subscribers, create_user
from tests.livestack import Console, fetch, wait_until
from tests.servers import OwnPostgres, OwnRedis, postgres_bin

LANE2 = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")
lane2 = pytest.mark.lane2


def declare(console, title, **fields):
    status, body = console.post(
        "/admin/incidents/new",
        {"title": title, "severity": "SEV2", "state": "investigating", "external_body": title,
         "is_public": "y", **fields},
        follow=False,
    )  # fmt: skip
    assert status == 302, f"declaring answered {status}: {body[:300]}"
    return console.last_location.rsplit("/", 1)[-1]


def sign_in(stack):
    console = Console(stack.url)
    console.login("lead@example.com", PASSWORD)
    return console


# --- kill -9 in the middle of a 20,000-recipient dispatch --------------------------------------


def test_a_worker_killed_mid_dispatch_is_taken_over_and_everyone_gets_it(
    ctx, live_stack, sendgrid_server
):
    create_user(email="lead@example.com", role="lead")
    create_component(slug="api", name="API")
    create_subscribers(20_000)
    sendgrid_server.delay = 0.25  # 20 batches of 1,000: ~5 s, so the kill lands mid-way
    stack = live_stack(
        EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.test-key",
        SENDGRID_API_HOST=sendgrid_server.url,
        # A dead worker's dispatch is up for grabs after 8 s (on PostgreSQL at once): long
        # enough that a live worker on a loaded CI machine renews it between batches.
        CRIER_DISPATCH_LEASE_SECONDS=8,
    )
    stack.start_web()
    first = stack.start_worker()
    declare(sign_in(stack), "Everyone hears this", notify="y")

    wait_until(lambda: len(sendgrid_server.accepted) >= 5, timeout=30, what="5 batches sent")
    stack.kill_worker(first)
    sent_before = len(sendgrid_server.delivered_to())
    assert sent_before < 20_000, "the dispatch finished before the kill: slow the server more"
    stack.start_worker()  # its own sweep finds the lapsed lease: no command, no minute to wait

    dispatch = wait_until(_finished_dispatch, timeout=60, what="the dispatch to finish")
    delivered = sendgrid_server.delivered_to()
    assert set(delivered) == {f"user{i:06d}@example.net" for i in range(20_000)}
    duplicates = len(delivered) - len(set(delivered))
    # The batch in flight when the worker died was accepted but not recorded: it goes again,
    # and the dispatch says so.
    # Each takeover adds at most the one batch in flight (a live worker too slow to renew its
    # lease is taken over as well, and its batch counted).
    takeovers = dispatch.attempts - 1
    assert takeovers >= 1 and dispatch.status == DispatchStatus.sent
    assert duplicates <= dispatch.possible_duplicates <= 1000 * takeovers, (duplicates, dispatch)
    print(f"\nkill -9 after {sent_before} of 20,000: {duplicates} recipients got it twice")


def test_a_worker_stopped_by_sigterm_hands_its_dispatch_back_and_nobody_gets_it_twice(
    ctx, live_stack, sendgrid_server
):
    create_user(email="lead@example.com", role="lead")
    create_component(slug="api", name="API")
    create_subscribers(5000)
    sendgrid_server.delay = 0.3
    stack = live_stack(
        EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.test-key",
        SENDGRID_API_HOST=sendgrid_server.url,
    )
    stack.start_web()
    first = stack.start_worker()
    declare(sign_in(stack), "A deploy during the incident", notify="y")

    wait_until(lambda: len(sendgrid_server.accepted) >= 2, timeout=30, what="2 batches sent")
    took = stack.stop_worker(first, timeout=60)  # within its 30 s shutdown timeout: no kill
    assert first.returncode == 0 and took < 30, (first.returncode, took, stack.log("worker"))
    db.session.rollback()
    handed = db.session.scalar(db.select(Dispatch))
    assert handed.status == DispatchStatus.pending, handed
    assert handed.accepted_count == len(sendgrid_server.delivered_to()) < 5000
    assert (handed.owner, handed.in_flight) == (None, 0)
    log = stack.log("worker")
    assert "SIGTERM received: stopping" in log, log
    assert f"dispatch {handed.id} (incident " in log and "handed back at cursor" in log, log

    stack.start_worker()  # the restarted worker continues at the cursor from the queue
    dispatch = wait_until(_finished_dispatch, timeout=60, what="the dispatch to finish")
    delivered = sendgrid_server.delivered_to()
    assert sorted(delivered) == [f"user{i:06d}@example.net" for i in range(5000)]
    assert dispatch.status == DispatchStatus.sent and dispatch.possible_duplicates == 0


def _finished_dispatch():
    db.session.rollback()
    dispatch = db.session.scalar(db.select(Dispatch))
    done = (DispatchStatus.sent, DispatchStatus.failed)
    return dispatch if dispatch and dispatch.status in done else None


# --- PostgreSQL stopped under a post ----------------------------------------------------------


@pytest.fixture
def own_postgres():
    if postgres_bin() is None:
        pytest.skip("needs PostgreSQL's server binaries (apt-get install postgresql)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("needs runuser to run PostgreSQL as the postgres user")
    server = OwnPostgres().create()
    yield server
    server.destroy()


@lane2
def test_postgres_down_during_a_post_is_a_clear_503_and_nothing_is_written(tmp_path, own_postgres):
    from tests.livestack import Stack

    stack = Stack(tmp_path / "stack", database_url=own_postgres.url)
    try:
        stack.flask("db", "upgrade")
        stack.env["CRIER_PASSWORD"] = PASSWORD
        stack.flask("create-user", "lead@example.com", "--role", "lead")
        stack.start_web()
        stack.start_worker()
        console = sign_in(stack)
        incident = declare(console, "Database maintenance gone wrong")
        wait_until(lambda: "Database maintenance" in fetch(stack.url + "/")[1], timeout=10,
                   what="the incident on the public page")  # fmt: skip
        # Every web process has the incident in memory before the database goes away.
        wait_until(
            lambda: all("Database maintenance" in fetch(stack.url + "/")[1] for _ in range(20)),
            timeout=10,
            what="every web process to serve the incident",
        )

        path = f"/admin/incidents/{incident}/updates/new"
        fields = {"state": "identified", "external_body": "LOST_1 never stored"}
        status, body = console.post(path, fields, follow=False, before_post=own_postgres.stop)
        assert status == 503, body[:500]
        assert "The database is not reachable, so nothing was posted" in body
        status, body, _ = fetch(stack.url + "/")
        assert status == 200 and "Database maintenance" in body  # served from memory
        assert fetch(stack.url + "/api/v2/summary.json")[0] == 200

        own_postgres.start()
        fields["external_body"] = "KEPT_2 stored after the restart"
        assert console.post(path, fields, follow=False)[0] == 302
        engine = create_engine(own_postgres.url.replace("postgresql:", "postgresql+psycopg:"))
        with engine.connect() as conn:
            bodies = conn.execute(text("SELECT external_body FROM updates")).scalars().all()
        engine.dispose()
        assert not any("LOST_1" in b for b in bodies)
        assert any("KEPT_2" in b for b in bodies)
        wait_until(lambda: "KEPT_2" in fetch(stack.url + "/")[1], timeout=10,
                   what="the update after the restart on the public page")  # fmt: skip
    finally:
        stack.stop()


# --- Redis gone while the lead posts ----------------------------------------------------------


@lane2
def test_with_redis_down_updates_are_accepted_and_sent_once_it_is_back(
    ctx, live_stack, sendgrid_server
):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (apt-get install redis-server)")
    redis = OwnRedis().start()
    try:
        create_user(email="lead@example.com", role="lead")
        create_component(slug="api", name="API")
        create_subscribers(3)
        stack = live_stack(
            redis_url=redis.url,
            EMAIL_BACKEND="sendgrid",
            SENDGRID_API_KEY="SG.test-key",
            SENDGRID_API_HOST=sendgrid_server.url,
            CRIER_DISPATCH_PENDING_GRACE_SECONDS=1,
        )
        stack.start_web()
        stack.start_worker()
        console = sign_in(stack)

        redis.stop()
        declare(console, "Queue outage", notify="y")  # 302: accepted with the queue down
        db.session.rollback()
        dispatch = db.session.scalar(db.select(Dispatch))
        assert dispatch.status == DispatchStatus.pending
        assert sendgrid_server.delivered_to() == []

        redis.start()
        time.sleep(1.5)  # past the pending grace
        # The worker's own sweep does this every minute; the command does it now.
        stack.flask("dispatches", "sweep")
        wait_until(lambda: len(sendgrid_server.delivered_to()) >= 3, timeout=30,
                   what="the dispatch once Redis is back")  # fmt: skip
        time.sleep(0.5)
        assert sorted(sendgrid_server.delivered_to()) == [
            f"user{i:06d}@example.net" for i in range(3)
        ]
    finally:
        redis.stop()
