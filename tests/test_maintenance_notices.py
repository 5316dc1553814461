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


def _text(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def test_a_subscriber_hears_each_step_once_as_the_clock_runs(page, smtp_server):
    """Scheduled → 24 h before → 1 h before → start → completed, a tick every 10 minutes
    (each tick a fresh start: nothing is remembered but the rows), each email once."""
    api, lead, clock = page
    start = NOW + timedelta(hours=48)
    with unit_of_work():
        window = schedule_maintenance(
            title="Database upgrade",
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=2),
            actor=lead,
            components=[api.public_id],
            auto_notify=True,
            remind_prior=True,  # the page's lead times: 24h, 1h
        )
    seen = [(NOW, to, msg) for to, msg in _mail(smtp_server)]
    at = NOW
    while at < start + timedelta(hours=3):
        at += timedelta(minutes=10)
        clock.move_to(at)
        advance_maintenance()
        seen += [(at, to, msg) for to, msg in _mail(smtp_server)]
    assert {to for _, to, _ in seen} == {"api-reader@example.com"}
    kinds = []
    for when, _, msg in seen:
        body = _text(msg)
        if "Reminder: this maintenance begins in" in body:
            kinds.append(("reminder", start - when))
        else:
            kinds.append((msg["Subject"], when - NOW))
    assert [k for k, _ in kinds][1:3] == ["reminder", "reminder"]
    assert kinds[1][1] == timedelta(hours=24) and kinds[2][1] == timedelta(hours=1)
    assert len(seen) == 5, [m["Subject"] for _, _, m in seen]
    assert "progress" in seen[3][2]["Subject"].lower()
    assert "complete" in seen[4][2]["Subject"].lower()
    assert seen[3][0] == start and seen[4][0] == start + timedelta(hours=2)
    for _, _, msg in seen[:3]:  # the announcement and both reminders carry the event
        assert _event(msg) is not None
    db.session.refresh(window)
    assert window.reminded_at == start - timedelta(hours=1)


def test_two_workers_ticking_at_once_send_one_reminder(app, page, smtp_server):
    import threading

    from app.models import MaintenanceNotice, Update

    api, lead, _ = page
    window = _schedule(lead, api, remind_prior=True, remind_minutes="1h")
    _mail(smtp_server)
    due = window.scheduled_for - timedelta(minutes=30)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(len(advance_maintenance(now=due)))
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(_mail(smtp_server)) == 1
    [notice] = db.session.scalars(db.select(MaintenanceNotice)).all()
    assert notice.update_id is not None and notice.lead_minutes == 60
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 2  # scheduled + reminder
    # A restarted worker ticking again sends nothing more.
    assert advance_maintenance(now=due + timedelta(minutes=1)) == []
    assert _mail(smtp_server) == []


def test_a_late_tick_sends_the_nearest_reminder_only(page, smtp_server):
    from app.models import MaintenanceNotice

    api, lead, _ = page
    window = _schedule(lead, api, remind_prior=True)  # 24h, 1h; it starts in 24 h
    _mail(smtp_server)
    late = window.scheduled_for - timedelta(minutes=20)  # the worker was down all day
    assert len(advance_maintenance(now=late)) == 1
    [(_, msg)] = _mail(smtp_server)
    assert "begins in 20 min" in _text(msg)
    rows = {n.lead_minutes: n.update_id for n in db.session.scalars(db.select(MaintenanceNotice))}
    assert set(rows) == {1440, 60} and rows[1440] is None and rows[60] is not None


def test_no_reminder_whose_moment_came_before_the_window_was_scheduled(page, smtp_server):
    api, lead, clock = page
    with unit_of_work():
        schedule_maintenance(
            title="Quick fix",
            scheduled_for=NOW + timedelta(minutes=30),
            scheduled_until=NOW + timedelta(minutes=60),
            actor=lead,
            components=[api.public_id],
            remind_prior=True,
            remind_minutes="1h",
        )
    _mail(smtp_server)
    clock.move_to(NOW + timedelta(minutes=10))
    assert advance_maintenance() == []
    assert _mail(smtp_server) == []


def test_a_window_without_reminders_gets_none(page, smtp_server):
    api, lead, _ = page
    window = _schedule(lead, api)
    _mail(smtp_server)
    assert advance_maintenance(now=window.scheduled_for - timedelta(minutes=30)) == []
    assert _mail(smtp_server) == []


@pytest.mark.parametrize(
    ("text", "leads"),
    [("24h, 1h", (1440, 60)), ("60,1440", (1440, 60)), ("90m", (90,)), ("2d", (2880,)), ("", ())],
)
def test_reminder_times_are_read_as_people_write_them(text, leads):
    from app.incidents.maintenance_notices import parse_leads

    assert parse_leads(text) == leads


@pytest.mark.parametrize("text", ["24h, 1h, 5m", "soon", "0m", "15d", "1h;2h"])
def test_bad_reminder_times_are_refused_with_a_message(page, text):
    from app.core import ServiceError

    api, lead, _ = page
    with pytest.raises(ServiceError) as refused:
        _schedule(lead, api, remind_prior=True, remind_minutes=text)
    assert refused.value.field == "remind_minutes"


def test_a_window_moved_to_a_new_start_is_reminded_again(page, smtp_server):
    api, lead, _ = page
    window = _schedule(lead, api, remind_prior=True, remind_minutes="1h")
    _mail(smtp_server)
    first = window.scheduled_for
    assert len(advance_maintenance(now=first - timedelta(minutes=30))) == 1
    with unit_of_work():
        edit_maintenance(
            db.session.merge(window),
            actor=lead,
            title="Database upgrade",
            scheduled_for=first + timedelta(days=1),
            scheduled_until=first + timedelta(days=1, hours=2),
            components=[api.public_id],
        )
    _mail(smtp_server)
    assert advance_maintenance(now=first - timedelta(minutes=20)) == []
    again = first + timedelta(days=1) - timedelta(minutes=30)
    assert len(advance_maintenance(now=again)) == 1
    [(_, msg)] = _mail(smtp_server)
    assert "begins in 30 min" in _text(msg)
