"""A receiver that answers one byte at a time: it holds one slot of its dispatch for the
request's deadline, never the other receivers, and never makes the lease lapse."""

import threading
import time

import pytest

from app.extensions import db
from app.fanout.dispatch import run_dispatch, sweep_dispatches
from app.models import (
    Channel,
    DeliveryStatus,
    Dispatch,
    DispatchStatus,
    HookDelivery,
    HookSubscriber,
    Update,
)
from app.sqltypes import utcnow
from tests.factories import create_incident, write_dispatches
from tests.hostile.trickle import TricklingServer


@pytest.fixture
def slow_app(app, app_factory):
    """A lease of 1 s, so a run that does not renew it while a request is out loses it."""
    from tests.factories import create_settings

    app = app_factory(
        HOOK_TIMEOUT_SECONDS=3.0,
        HOOK_RETRIES=0,
        HOOK_DISABLE_AFTER=99,
        DISPATCH_LEASE_SECONDS=1,
        HOOK_SUBSCRIBERS_ALLOW_PRIVATE=True,
    )
    with app.app_context():
        create_settings()
        yield app


def _subscriber(url: str, n: int) -> HookSubscriber:
    sub = HookSubscriber(kind=Channel.webhook, url=url, token_hash=f"{n:032d}",
                         secret="whsec_x", confirmed_at=utcnow())  # fmt: skip
    db.session.add(sub)
    return sub


def test_a_slow_receiver_holds_nobody_else_and_the_lease_is_renewed(slow_app, hook_server):
    slow = TricklingServer(mode="body", interval=0.3).start()
    try:
        _subscriber(slow.url + "/slow", 1)  # first in line
        for n in range(2, 5):
            _subscriber(hook_server.url + f"/fast{n}", n)
        db.session.commit()
        update = Update(incident=create_incident(), state="investigating", external_body="Down.")
        db.session.add(update)
        write_dispatches(update)
        dispatch_id = db.session.scalar(
            db.select(Dispatch.id).filter_by(update=update, channel=Channel.webhook)
        )

        # Another worker sweeps every 0.2 s, as `flask worker` does, looking for lapsed leases.
        taken, done = [], threading.Event()

        def other_worker():
            with slow_app.app_context():
                while not done.wait(0.2):
                    taken.extend(sweep_dispatches())
                db.session.remove()

        sweeper = threading.Thread(target=other_worker)
        sweeper.start()
        started = time.monotonic()
        try:
            run_dispatch(dispatch_id)
        finally:
            done.set()
            sweeper.join(10)
        took = time.monotonic() - started
    finally:
        slow.stop()

    assert taken == [], "another worker took the dispatch over while a request was out"
    fast = [hit for hit in hook_server.hits if hit.path.startswith("/fast")]
    assert len(fast) == 3
    assert len(slow.hits) == 1  # sent once, cut off at its deadline
    assert took < 5.0
    db.session.expire_all()
    dispatch = db.session.get(Dispatch, dispatch_id)
    assert (dispatch.status, dispatch.accepted_count, dispatch.failed_count) == (
        DispatchStatus.failed,
        3,
        1,
    )
    assert (dispatch.possible_duplicates, dispatch.in_flight) == (0, 0)
    slow_delivery = db.session.scalar(
        db.select(HookDelivery).where(HookDelivery.status == DeliveryStatus.failed)
    )
    assert "timed out" in slow_delivery.last_error
    fast_sent = db.session.scalars(
        db.select(HookDelivery.sent_at).where(HookDelivery.status == DeliveryStatus.sent)
    ).all()
    # Each fast receiver had its delivery within a second, while the slow one still trickled.
    assert all((at - dispatch.created_at).total_seconds() < 1.5 for at in fast_sent), fast_sent


def test_a_receiver_that_keeps_timing_out_is_disabled_and_the_admins_are_told(
    app, app_factory, hook_server
):
    from tests.factories import create_settings, create_user, post_update

    app = app_factory(  # the ``app`` fixture empties the tables afterwards
        HOOK_TIMEOUT_SECONDS=0.5,
        HOOK_RETRIES=1,
        HOOK_BACKOFF_SECONDS=0.01,
        HOOK_DISABLE_AFTER=2,
        HOOK_DISABLE_MIN_SECONDS=0,
        HOOK_SUBSCRIBERS_ALLOW_PRIVATE=True,
    )
    slow = TricklingServer(mode="headers", interval=0.2).start()
    try:
        with app.app_context():
            from app.email import get_backend

            create_settings()
            create_user(email="admin@example.com", role="admin")
            create_user(email="lead@example.com", role="lead")
            dead = _subscriber(slow.url + "/slow", 1)
            _subscriber(hook_server.url + "/fast", 2)
            db.session.commit()
            incident = create_incident()
            post_update(incident, external="One.")
            db.session.expire_all()
            assert db.session.get(HookSubscriber, dead.id).failures == 1  # counted, still on
            post_update(incident, external="Two.")
            post_update(incident, external="Three.")
            sent = get_backend().outbox
    finally:
        slow.stop()
    assert len(slow.hits) == 4  # two updates, a try and a retry each; none for the third
    assert len([h for h in hook_server.hits if h.path == "/fast"]) == 3  # never held back
    (notice,) = [m for m in sent if "disabled" in m["Subject"]]
    assert notice["To"] == "admin@example.com"  # the admins; not the lead
    assert "127.0.0.1" in notice["Subject"] and "timed out" in notice.get_content()
