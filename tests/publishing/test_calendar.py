"""Maintenance calendars (RFC 5545): the page's, each component's and each window's, published
once per change; read back by three parsers no one here wrote (``icalendar``, ``vobject``, and
the strict ``ical``, whose models refuse what RFC 5545 does not allow)."""

import gzip
import io
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
import vobject
from ical.calendar_stream import IcsCalendarStream

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.maintenance import (
    advance_maintenance,
    cancel_maintenance,
    edit_maintenance,
    schedule_maintenance,
)
from app.messages.seed import seed_default_templates
from app.publishing.publish import publish_changes, publish_site
from tests.factories import create_component, create_incident, create_settings, create_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOST = "status.example.test"


@pytest.fixture
def clock(ctx):
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def page(clock):
    seed_default_templates()
    create_settings(page_name="Acme Status")
    api = create_component(slug="api", name="API")
    cdn = create_component(slug="cdn", name="CDN")
    return api, cdn, create_user()


def _schedule(lead, components, *, title="Database upgrade", hours=(24, 26)):
    with unit_of_work():
        return schedule_maintenance(
            title=title,
            scheduled_for=NOW + timedelta(hours=hours[0]),
            scheduled_until=NOW + timedelta(hours=hours[1]),
            actor=lead,
            components=[c.public_id for c in components],
        )


def _events(body: bytes) -> list:
    """The VEVENTs, after all three parsers accepted the calendar."""
    text = body.decode()
    vobject.readOne(text).validate(raiseException=True)
    IcsCalendarStream.calendar_from_ics(text)  # raises on anything RFC 5545 refuses
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def _lines_are_rfc5545(body: bytes) -> None:
    """Content lines end in CRLF, fold at 75 octets, and hold no control characters."""
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), line


def test_the_page_and_component_calendars_hold_public_maintenance(client, page):
    api, _cdn, lead = page
    window = _schedule(lead, [api])
    create_incident(title="API errors", components=[api], updates=[("Looking.", "")])
    hidden = create_component(slug="vault", name="Secret store", is_public=False)
    _schedule(lead, [hidden, api], title="Key rotation", hours=(30, 31))
    private = _schedule(lead, [api], title="Private work", hours=(40, 41))
    private.is_public = False
    db.session.commit()
    publish_site()

    response = client.get("/maintenance.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    _lines_are_rfc5545(response.data)
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Acme Status maintenance"
    event, rotation = _events(response.data)  # earliest first; the private one is left out
    assert str(rotation["SUMMARY"]) == "Maintenance: Key rotation"
    assert b"Secret store" not in response.data  # a hidden component is never named
    assert b"Private work" not in response.data
    assert str(event["UID"]) == f"maintenance-{window.public_id}@{HOST}"
    assert str(event["SUMMARY"]) == "Maintenance: Database upgrade"
    assert event.decoded("DTSTART") == NOW + timedelta(hours=24)
    assert event.decoded("DTEND") == NOW + timedelta(hours=26)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://{HOST}/incidents/{window.public_id}"
    assert "Affects API." in str(event["DESCRIPTION"])

    api_events = _events(client.get("/components/api/maintenance.ics").data)
    assert [str(e["UID"]) for e in api_events] == [str(event["UID"]), str(rotation["UID"])]
    cdn_calendar = client.get("/components/cdn/maintenance.ics")
    assert cdn_calendar.status_code == 200
    assert _events(cdn_calendar.data) == []


def test_a_window_page_links_its_own_calendar(client, page):
    api, _, lead = page
    window = _schedule(lead, [api])
    publish_site()
    html = client.get(f"/incidents/{window.public_id}").get_data(as_text=True)
    link = f'href="/incidents/{window.public_id}/calendar.ics"'
    assert link in html and "Add to calendar" in html
    response = client.get(f"/incidents/{window.public_id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    [event] = _events(response.data)
    assert str(event["UID"]) == f"maintenance-{window.public_id}@{HOST}"


def test_a_reschedule_raises_sequence_and_a_cancel_says_cancelled(client, page):
    api, cdn, lead = page
    window = _schedule(lead, [api])
    publish_site()
    uid = str(_events(client.get("/maintenance.ics").data)[0]["UID"])

    with unit_of_work():
        edit_maintenance(
            window,
            actor=lead,
            title="Database upgrade",
            scheduled_for=NOW + timedelta(hours=48),
            scheduled_until=NOW + timedelta(hours=50),
            components=[api.public_id, cdn.public_id],
        )
    publish_changes()
    for path in ("/maintenance.ics", "/components/cdn/maintenance.ics"):
        [event] = _events(client.get(path).data)
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == NOW + timedelta(hours=48)

    with unit_of_work():
        cancel_maintenance(db.session.merge(window), actor=lead)
    publish_changes()
    for path in (
        "/maintenance.ics",
        "/components/api/maintenance.ics",
        f"/incidents/{window.public_id}/calendar.ics",
    ):
        [event] = _events(client.get(path).data)
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == 2
        assert str(event["STATUS"]) == "CANCELLED"


def test_a_window_leaves_the_calendar_a_month_after_it_ended(client, page, clock):
    api, _, lead = page
    _schedule(lead, [api])
    publish_site()
    assert len(_events(client.get("/maintenance.ics").data)) == 1
    clock.move_to(NOW + timedelta(days=2))
    advance_maintenance()  # started and completed by the tick
    clock.move_to(NOW + timedelta(days=29))
    publish_site()
    assert len(_events(client.get("/maintenance.ics").data)) == 1
    clock.move_to(NOW + timedelta(days=32))
    publish_site()
    assert _events(client.get("/maintenance.ics").data) == []


def test_the_calendar_is_stored_compressed_with_an_etag(client, page):
    api, _, lead = page
    for n in range(3):
        _schedule(lead, [api], title=f"Upgrade {n}", hours=(24 + 3 * n, 25 + 3 * n))
    publish_site()
    plain = client.get("/maintenance.ics")
    etag = plain.headers["ETag"]
    assert etag
    assert client.get("/maintenance.ics", headers={"If-None-Match": etag}).status_code == 304
    packed = client.get("/maintenance.ics", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    publish_site()  # nothing changed: the same bytes, the same ETag
    assert client.get("/maintenance.ics").headers["ETag"] == etag


@pytest.mark.parametrize(
    "title",
    [
        "Upgrade\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged@evil\r\nATTENDEE:mailto:x@evil",
        "Bell\x07 tab\t nul\x00 esc\x1b del\x7f; comma, backslash\\ done",
        "Ünïcödé 🚧 " * 20000,  # megabytes-long rows stored before the edge cleaned titles
    ],
)
def test_hostile_titles_stay_inside_their_summary(client, page, title):
    api, _, lead = page
    window = _schedule(lead, [api])
    if db.engine.dialect.name == "postgresql":  # its column holds no NUL and 200 characters
        title = title.replace("\x00", "")[:200]
    window.title = title  # as a row written before titles were cleaned at the edge
    db.session.commit()
    publish_site()
    body = client.get("/maintenance.ics").data
    _lines_are_rfc5545(body)
    [event] = _events(body)
    assert str(event["UID"]) == f"maintenance-{window.public_id}@{HOST}"
    assert "ATTENDEE" not in event
    assert len(str(event["SUMMARY"])) <= 1100
    for parsed in vobject.readOne(body.decode()).vevent_list:
        assert parsed.uid.value == str(event["UID"])


def test_export_writes_the_calendars(app, page, tmp_path):
    from app.publishing.publish import export_site

    api, _, lead = page
    _schedule(lead, [api])
    export_site(tmp_path)
    for name in ("maintenance.ics", "components/api/maintenance.ics"):
        assert _events((tmp_path / name).read_bytes())
    assert io.BytesIO((tmp_path / "maintenance.ics").read_bytes()).read(15) == b"BEGIN:VCALENDAR"
