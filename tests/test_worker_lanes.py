"""Publishing and reminders have a lane of their own in every worker: however much email is
going out, an update reaches the page within seconds (both queue backends: the SQLite queue
here, Redis in lane 2)."""

import time

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.models import Dispatch, DispatchStatus
from tests.factories import create_component, create_subscribers, create_user
from tests.livestack import fetch, wait_until
from tests.servers import SMTPRecorder, free_port
from tests.test_crash import declare, sign_in


@pytest.fixture
def slow_smtp():
    """A real SMTP server that takes 50 ms over each message, as a busy relay does."""
    recorder = SMTPRecorder()
    recorder.delay = 0.05
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.host, recorder.port = controller.hostname, controller.port
    yield recorder
    controller.stop()


def _sending_dispatches() -> int:
    db.session.rollback()
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(Dispatch)
        .where(Dispatch.status == DispatchStatus.running, Dispatch.accepted_count > 0)
    )


def test_an_update_reaches_the_page_within_seconds_while_every_fanout_thread_sends(
    ctx, live_stack, slow_smtp
):
    create_user(email="lead@example.com", role="lead")
    create_component(slug="api", name="API")
    create_subscribers(600)  # 600 x 50 ms: each dispatch keeps its thread 30 s
    stack = live_stack(EMAIL_BACKEND="smtp", SMTP_HOST=slow_smtp.host, SMTP_PORT=slow_smtp.port)
    stack.start_web()
    stack.start_worker(threads=2)
    console = sign_in(stack)
    declare(console, "First outage", notify="y")
    declare(console, "Second outage", notify="y")
    wait_until(lambda: _sending_dispatches() == 2, timeout=30, what="both threads sending")

    declare(console, "Third outage, no email")  # its publish queues behind two dispatches
    started = time.monotonic()
    wait_until(
        lambda: "Third outage, no email" in fetch(stack.url + "/")[1],
        timeout=5,
        what="the third update on the status page",
    )
    took = time.monotonic() - started
    assert _sending_dispatches() == 2, "the dispatches finished first: slow the server more"
    print(f"\nthe update showed on / after {took:.2f} s while 2 dispatches were sending")
