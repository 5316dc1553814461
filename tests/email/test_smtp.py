import pytest

from app.core.uow import unit_of_work
from app.email import Batch, PermanentError, Recipient, RetryableError
from app.email.smtp import SMTPBackend
from app.extensions import db
from app.fanout.stakeholders import create_group
from app.models import Dispatch, DispatchStatus
from tests.factories import create_component, create_incident, create_subscriber, post_update
from tests.servers import free_port


def test_a_dispatch_over_smtp_sends_one_personal_message_each(smtp_app, smtp_server):
    api = create_component(slug="api", name="API")
    create_subscriber(email="one@example.com")
    create_subscriber(email="two@example.com", components=[api])
    with unit_of_work():
        create_group(name="Execs", emails="boss@corp.example", min_severity="SEV3")
    post_update(
        create_incident(title="Slow API", components=[api]),
        external="Requests are slow.",
        internal="Primary DB at 100% CPU.",
    )
    by_to = {rcpts[0]: msg for rcpts, msg in smtp_server.messages}
    assert sorted(by_to) == ["boss@corp.example", "one@example.com", "two@example.com"]
    assert all(len(rcpts) == 1 for rcpts, _ in smtp_server.messages)
    one, two, boss = (by_to[a] for a in ("one@example.com", "two@example.com", "boss@corp.example"))
    assert one["Subject"] == "[Status] Investigating: Slow API"
    assert one["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one["List-Unsubscribe"] != two["List-Unsubscribe"]
    assert one["List-Id"] and "List-Unsubscribe" not in boss
    text = two.get_body(("plain",)).get_content()
    assert "you subscribed to API" in text and "Requests are slow." in text
    assert "Primary DB" not in text
    assert "Primary DB at 100% CPU." in boss.get_body(("plain",)).get_content()
    assert "Execs stakeholder group" in boss.get_body(("html",)).get_content()
    statuses = {d.status for d in db.session.scalars(db.select(Dispatch))}
    assert statuses == {DispatchStatus.sent}


def test_one_connection_carries_a_whole_batch(smtp_server):
    backend = SMTPBackend(host=smtp_server.host, port=smtp_server.port)
    batch = Batch(
        sender="Status <status@example.com>",
        subject="Hello %%name%%",
        text="Hi %%name%%",
        recipients=[Recipient(f"r{i}@example.com", {"%%name%%": f"R{i}"}) for i in range(5)],
    )
    assert backend.send(batch).accepted == 5
    assert len(smtp_server.sessions) == 1
    assert [m["Subject"] for _, m in smtp_server.messages] == [f"Hello R{i}" for i in range(5)]


def test_refused_recipients_are_reported_and_the_rest_sent(smtp_server):
    smtp_server.refuse.add("nobody@example.com")
    backend = SMTPBackend(host=smtp_server.host, port=smtp_server.port)
    batch = Batch(
        sender="status@example.com",
        subject="s",
        text="t",
        recipients=[Recipient("nobody@example.com"), Recipient("somebody@example.com")],
    )
    result = backend.send(batch)
    assert (result.accepted, result.refused) == (1, ["nobody@example.com"])


def test_an_unreachable_server_is_retryable():
    backend = SMTPBackend(host="127.0.0.1", port=free_port())
    with pytest.raises(RetryableError):
        backend.send(Batch(sender="a@b.c", subject="s", text="t", recipients=[Recipient("x@y.z")]))


def test_starttls_against_a_server_without_it_fails_permanently_or_retryably(smtp_server):
    backend = SMTPBackend(host=smtp_server.host, port=smtp_server.port, starttls=True)
    batch = Batch(sender="a@b.c", subject="s", text="t", recipients=[Recipient("x@y.z")])
    with pytest.raises((PermanentError, RetryableError)):
        backend.send(batch)
    assert smtp_server.messages == []
