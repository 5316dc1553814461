"""The emails of a maintenance window, read from a real SMTP server (aiosmtpd): the scheduling,
reschedule and cancellation emails carry the window as a calendar event (the published
calendar's UID, SEQUENCE raised by each change, STATUS:CANCELLED at the end); the start and
completion emails carry none; a subscriber to another component hears nothing."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
import vobject

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.maintenance import (
    advance_maintenance,
    cancel_maintenance,
    edit_maintenance,
    schedule_maintenance,
)
from app.messages.seed import seed_default_templates
from app.publishing.publish import publish_site
from tests.factories import create_component, create_settings, create_subscriber, create_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def page(smtp_app, smtp_server):
    with time_machine.travel(NOW, tick=False) as clock:
        seed_default_templates()
        create_settings(page_name="Acme Status")
        api = create_component(slug="api", name="API")
        cdn = create_component(slug="cdn", name="CDN")
        create_subscriber(email="api-reader@example.com", components=[api])
        create_subscriber(email="cdn-reader@example.com", components=[cdn])
        yield api, create_user(), clock


def _mail(smtp_server) -> list:
    """(recipient, message) of everything received so far, then forget it."""
    got = [(rcpts[0], msg) for rcpts, msg in smtp_server.messages]
    smtp_server.messages.clear()
    return got


def _event(msg):
    """The one VEVENT a message carries, read by two parsers; None without an attachment."""
    parts = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    if not parts:
        return None
    [part] = parts
    assert part.get_filename() == "maintenance.ics"
    assert part.get_param("method") == "PUBLISH"
    text = part.get_content()
    vobject.readOne(text).validate(raiseException=True)
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    return event


def _schedule(lead, api, **fields):
    with unit_of_work():
        return schedule_maintenance(
            title="Database upgrade",
            scheduled_for=NOW + timedelta(hours=24),
            scheduled_until=NOW + timedelta(hours=26),
            actor=lead,
            components=[api.public_id],
            **fields,
        )


def test_schedule_reschedule_and_cancel_emails_carry_the_event(client, page, smtp_server):
    api, lead, _ = page
    window = _schedule(lead, api)
    [(to, msg)] = _mail(smtp_server)  # the CDN subscriber is not told
    assert to == "api-reader@example.com"
    event = _event(msg)
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == NOW + timedelta(hours=24)
    publish_site()
    [published] = icalendar.Calendar.from_ical(client.get("/maintenance.ics").data).walk("VEVENT")
    assert str(event["UID"]) == str(published["UID"])  # the same event in the calendar app

    with unit_of_work():
        edit_maintenance(
            db.session.merge(window),
            actor=lead,
            title="Database upgrade",
            scheduled_for=NOW + timedelta(hours=48),
            scheduled_until=NOW + timedelta(hours=50),
            components=[api.public_id],
        )
    [(to, msg)] = _mail(smtp_server)
    moved = _event(msg)
    assert str(moved["UID"]) == str(event["UID"])
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == NOW + timedelta(hours=48)

    with unit_of_work():
        cancel_maintenance(db.session.merge(window), actor=lead)
    [(to, msg)] = _mail(smtp_server)
    cancelled = _event(msg)
    assert str(cancelled["UID"]) == str(event["UID"])
    assert int(cancelled["SEQUENCE"]) == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_start_and_completion_emails_carry_no_event(page, smtp_server):
    api, lead, clock = page
    _schedule(lead, api, auto_notify=True)
    assert _event(_mail(smtp_server)[0][1]) is not None
    clock.move_to(NOW + timedelta(hours=24))
    advance_maintenance()
    clock.move_to(NOW + timedelta(hours=26))
    advance_maintenance()
    sent = _mail(smtp_server)
    assert [to for to, _ in sent] == ["api-reader@example.com"] * 2
    assert [_event(msg) for _, msg in sent] == [None, None]
    subjects = [msg["Subject"] for _, msg in sent]
    assert "progress" in subjects[0].lower() and "complete" in subjects[1].lower()
