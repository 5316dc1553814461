"""A batch's attachments reach every copy, through each backend, as the receiver reads them."""

import base64
import io

import icalendar

from app.email import Attachment, Batch, Recipient
from app.email.console import ConsoleBackend
from app.email.memory import MemoryBackend
from app.email.sendgrid import SendGridBackend, request_body
from app.email.smtp import SMTPBackend

EVENT = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:PUBLISH\r\n"
    b"BEGIN:VEVENT\r\nUID:w1@example.test\r\nDTSTAMP:20261123T100000Z\r\n"
    b"DTSTART:20261124T100000Z\r\nSUMMARY:Caf\xc3\xa9 upgrade\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
INVITE = Attachment("maintenance.ics", "text/calendar; method=PUBLISH; charset=utf-8", EVENT)
PDF = Attachment("notes.pdf", "application/pdf", b"%PDF-1.4 \x00\xff binary")


def _batch(**extra) -> Batch:
    return Batch(
        sender="Status <status@example.com>",
        subject="Maintenance for %%name%%",
        text="Hi %%name%%, see the attachment.",
        html="<p>Hi %%name%%</p>",
        recipients=[Recipient(f"r{i}@example.com", {"%%name%%": f"R{i}"}) for i in range(2)],
        attachments=[INVITE, PDF],
        **extra,
    )


def _check_message(msg) -> None:
    """The body and both attachments, as a mail client reads them."""
    assert "see the attachment" in msg.get_body(("plain",)).get_content()
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    assert sorted(parts) == ["maintenance.ics", "notes.pdf"]
    ics = parts["maintenance.ics"]
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "PUBLISH"
    assert ics.get_content_disposition() == "attachment"
    [event] = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Café upgrade"
    assert parts["notes.pdf"].get_content() == PDF.data


def test_smtp_sends_the_attachments_with_every_copy(smtp_server):
    backend = SMTPBackend(host=smtp_server.host, port=smtp_server.port)
    assert backend.send(_batch()).accepted == 2
    assert len(smtp_server.messages) == 2
    for _, msg in smtp_server.messages:
        _check_message(msg)


def test_sendgrid_gets_the_attachments_field(sendgrid_server):
    backend = SendGridBackend(api_key="SG.test", host=sendgrid_server.url)
    backend.send(_batch())
    [request] = sendgrid_server.accepted
    invite, pdf = request.body["attachments"]
    assert invite == {
        "content": base64.b64encode(EVENT).decode(),
        "type": "text/calendar; method=PUBLISH; charset=utf-8",
        "filename": "maintenance.ics",
        "disposition": "attachment",
    }
    assert base64.b64decode(pdf["content"]) == PDF.data


def test_memory_and_console_keep_the_attachments():
    memory = MemoryBackend()
    memory.send(_batch())
    for msg in memory.outbox:
        _check_message(msg)
    stream = io.StringIO()
    ConsoleBackend(stream).send(_batch())
    assert stream.getvalue().count('filename="maintenance.ics"') == 2


def test_a_batch_without_attachments_is_unchanged():
    batch = _batch()
    batch.attachments = []
    assert "attachments" not in request_body(batch)
    assert not list(batch.render(batch.recipients[0]).iter_attachments())
