"""A webhook/Slack dispatch ends ``sent`` only when every delivery was delivered; otherwise
``failed``, with its counts and why, and "Send again" retries the deliveries that failed."""

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.dispatch import retry_dispatch, run_dispatch
from app.fanout.hooks import subscribe_webhook
from app.models import Channel, DeliveryStatus, Dispatch, DispatchStatus, HookDelivery
from tests.factories import create_incident, post_update


def hook_dispatch(update):
    db.session.expire_all()
    return db.session.scalar(db.select(Dispatch).filter_by(update=update, channel=Channel.webhook))


def test_a_dispatch_with_a_failed_delivery_is_failed_with_its_counts(hook_app, hook_server):
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/ok")
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/gone")
    hook_server.answer(200)  # /ok (subscribers are tried in id order)
    hook_server.answer(410)  # /gone: permanent
    d = hook_dispatch(post_update(create_incident(), external="Investigating."))
    assert (d.status, d.recipients_count, d.accepted_count, d.failed_count) == (
        DispatchStatus.failed,
        2,
        1,
        1,
    )
    assert d.last_error == "1 of 2 deliveries failed; last: the endpoint answered 410"
    assert d.finished_at is not None


def test_a_dispatch_whose_retries_run_out_is_failed(hook_app, hook_server):
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/down")
    hook_server.answer(503, times=4)  # 1 try + HOOK_RETRIES=3
    d = hook_dispatch(post_update(create_incident(), external="Investigating."))
    assert (d.status, d.accepted_count, d.failed_count) == (DispatchStatus.failed, 0, 1)
    assert "last: the endpoint answered 503" in d.last_error


def test_send_again_retries_the_failed_deliveries_only(hook_app, hook_server):
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/ok")
    with unit_of_work():
        subscribe_webhook(hook_server.url + "/flaky")
    hook_server.answer(200)
    hook_server.answer(410)
    d = hook_dispatch(post_update(create_incident(), external="Investigating."))
    assert d.status == DispatchStatus.failed
    hits = len(hook_server.hits)
    with unit_of_work():
        retry_dispatch(d)
    run_dispatch(d.id)  # the endpoint answers 200 now
    assert [h.path for h in hook_server.hits[hits:]] == ["/flaky"]
    d = hook_dispatch(d.update)
    assert (d.status, d.accepted_count, d.failed_count, d.last_error) == (
        DispatchStatus.sent,
        2,
        0,
        None,
    )
    statuses = set(db.session.scalars(db.select(HookDelivery.status)))
    assert statuses == {DeliveryStatus.sent}
