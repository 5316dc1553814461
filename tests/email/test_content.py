import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.email import RetryableError
from app.email.sendgrid import SendGridBackend
from app.extensions import db
from app.models import IncidentKind, Setting
from tests.factories import create_component, create_incident, create_subscriber, post_update

GOLDEN = Path(__file__).parent / "golden"


def golden(name, actual):
    """Compare with a golden file; CRIER_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("CRIER_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(actual)
    assert actual == path.read_text()


@pytest.fixture
def berlin_page(ctx):
    db.session.add(Setting(page_name="Acme Status", timezone="Europe/Berlin"))
    db.session.commit()


def test_update_email_text_matches_the_golden_file(berlin_page, outbox):
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Dashboard")
    create_subscriber(email="reader@example.com", components=[api, web])
    incident = create_incident(title="Slow API", components=[api], public_id="abc123def456")
    post_update(
        incident,
        external="Requests to the **API** are slow. See [the runbook](https://example.com/rb).",
        posted_at=datetime(2026, 11, 23, 14, 5, tzinfo=UTC),
    )
    (message,) = outbox
    assert message["Subject"] == "[Acme Status] Investigating: Slow API"
    text = message.get_body(("plain",)).get_content()
    token = message["List-Unsubscribe"].split("/u/")[1].split(">")[0]
    golden("update.txt", text.replace(token, "TOKEN"))
    assert "2026-11-23 15:05 CET (Europe/Berlin; 14:05 UTC)" in text  # zone named, UTC beside
    assert "you subscribed to API and Dashboard" in text
    html = message.get_body(("html",)).get_content()
    assert "<strong>API</strong>" in html and "http://status.example.test/incidents/abc123" in html


def test_maintenance_subject_uses_its_state(berlin_page, outbox):
    create_subscriber()
    maintenance = create_incident(
        title="DB upgrade", kind=IncidentKind.maintenance, state="in_progress"
    )
    post_update(maintenance, external="Upgrading now.")
    assert outbox[0]["Subject"] == "[Acme Status] In progress: DB upgrade"
    assert (
        "you subscribed to all updates from Acme Status"
        in outbox[0].get_body(("plain",)).get_content()
    )


def test_rate_limit_reset_header_sets_the_wait(sendgrid_server):
    backend = SendGridBackend(api_key="SG.x", host=sendgrid_server.url)
    reset = int(time.time()) + 7
    sendgrid_server.answer(429, headers={"X-RateLimit-Reset": reset})
    from app.email import Batch, Recipient

    batch = Batch(sender="a@b.c", subject="s", text="t", recipients=[Recipient("x@y.z")])
    with pytest.raises(RetryableError) as caught:
        backend.send(batch)
    assert 5 < caught.value.retry_after <= 7


def test_list_unsubscribe_carries_a_mailto_when_configured(app, ctx, outbox):
    app.config["LIST_UNSUBSCRIBE_MAILTO"] = "unsubscribe@status.example.test"
    create_subscriber()
    post_update(create_incident())
    header = outbox[0]["List-Unsubscribe"]
    assert header.startswith("<http://status.example.test/u/")
    assert header.endswith(", <mailto:unsubscribe@status.example.test?subject=unsubscribe>")


def test_console_backend_prints_each_personal_copy():
    from app.email import Batch, Recipient
    from app.email.console import ConsoleBackend

    stream = io.StringIO()
    batch = Batch(
        sender="status@example.com",
        subject="Hi %%n%%",
        text="Body for %%n%%",
        recipients=[Recipient("a@example.com", {"%%n%%": "A"}), Recipient("b@example.com")],
    )
    assert ConsoleBackend(stream).send(batch).accepted == 2
    printed = stream.getvalue()
    assert "To: a@example.com" in printed and "Subject: Hi A" in printed
    assert "To: b@example.com" in printed
