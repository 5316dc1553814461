"""A webhook/Slack endpoint that answers 429/503 with Retry-After is retried when it asked,
within HOOK_MAX_BACKOFF_SECONDS."""

import time
from datetime import timedelta
from email.utils import format_datetime

import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.hooks import subscribe_webhook
from app.models import Channel, Dispatch, DispatchStatus
from app.sqltypes import utcnow
from tests.factories import create_incident, create_settings, post_update


@pytest.fixture
def patient_app(app, app_factory):
    """Our own backoff is 10 ms, so any wait near a second is the endpoint's."""
    hook_app = app_factory(HOOK_BACKOFF_SECONDS=0.01, HOOK_RETRIES=2, HOOK_MAX_BACKOFF_SECONDS=3,
                           HOOK_SUBSCRIBERS_ALLOW_PRIVATE=True)  # fmt: skip
    with hook_app.app_context():
        create_settings(allow_private_outbound=True)
        yield hook_app


def _deliver(hook_server, status, retry_after):
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/hook")
    hook_server.answer(status, headers={"Retry-After": retry_after})
    started = time.monotonic()
    update = post_update(create_incident(), external="Investigating.")  # runs the dispatch
    elapsed = time.monotonic() - started
    db.session.expire_all()
    dispatch = db.session.scalar(
        db.select(Dispatch).filter_by(update=update, channel=Channel.webhook)
    )
    assert [h.status for h in hook_server.hits[1:]] == [status, 200]
    assert (dispatch.status, dispatch.accepted_count) == (DispatchStatus.sent, 1)
    return elapsed


def test_a_429_with_retry_after_seconds_waits_as_asked(patient_app, hook_server):
    assert _deliver(hook_server, 429, "1") >= 1.0


def test_a_503_with_retry_after_as_an_http_date_waits_until_then(patient_app, hook_server):
    when = format_datetime(utcnow() + timedelta(seconds=2), usegmt=True)  # whole seconds
    assert _deliver(hook_server, 503, when) >= 1.0


def test_a_retry_after_of_a_day_is_clamped_to_the_maximum_backoff(patient_app, hook_server):
    elapsed = _deliver(hook_server, 429, "86400")
    assert 3.0 <= elapsed < 60
