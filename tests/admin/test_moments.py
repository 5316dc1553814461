"""The console's moments: shown on the incident page and its Markdown timeline, corrected by
a lead in the page's timezone, audited, their order enforced, hostile input a 4xx."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import g

from app.extensions import db
from app.models import AuditEvent, Incident, Setting
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_incident


@pytest.fixture
def incident(as_lead):
    db.session.add(Setting(page_name="Acme", timezone="Europe/Berlin"))
    g.pop("crier_settings", None)  # the sign-in read the settings before this row existed
    declared = utcnow().replace(second=0, microsecond=0) - timedelta(hours=2)
    made = create_incident(
        title="Checkout failing",
        started_minutes_ago=0,
        lead=as_lead,
        impact_started_at=declared,
        detected_at=declared,
        engaged_at=declared + timedelta(minutes=5),
    )
    made.started_at = declared
    db.session.commit()
    return made


def _url(incident):
    return f"/admin/incidents/{incident.public_id}/moments"


def _berlin(value: datetime) -> str:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")


def _post(client, incident, **fields):
    data = {
        "csrf_token": csrf_token(client, _url(incident)),
        "impact_started_at": _berlin(incident.impact_started_at),
        "detected_at": _berlin(incident.detected_at),
        "engaged_at": _berlin(incident.engaged_at),
        "mitigated_at": "",
    } | fields
    return client.post(_url(incident), data=data)


def test_the_incident_page_and_timeline_show_the_moments(client, incident):
    page = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    assert "Moments" in page and "Impact started" in page and "Correct the moments" in page
    local = incident.engaged_at.astimezone(UTC).isoformat(timespec="milliseconds")
    assert local.replace("+00:00", "Z") in page  # the <time> of the engagement
    markdown = client.get(f"/admin/incidents/{incident.public_id}/timeline.md")
    text = markdown.get_data(as_text=True)
    assert "## Moments" in text
    assert f"- Engaged: {incident.engaged_at:%Y-%m-%d %H:%M:%S} UTC" in text
    assert "- Mitigated: not yet" in text


def test_a_lead_backdates_the_impact_in_the_pages_timezone_and_it_is_audited(client, incident):
    earlier = incident.impact_started_at - timedelta(minutes=40)
    response = _post(client, incident, impact_started_at=_berlin(earlier))
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Incident, incident.id)
    assert saved.impact_started_at == earlier  # read in Berlin, stored in UTC
    assert saved.detected_at == incident.detected_at  # untouched fields keep their time
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="incident.moments"))
    assert list(event.detail) == ["impact_started_at"]
    text = client.get(f"/admin/incidents/{incident.public_id}/timeline.md").get_data(as_text=True)
    assert "incident.moments by Lead User (impact_started_at" in text


def test_an_order_that_does_not_hold_is_a_form_error(client, incident):
    before = incident.engaged_at
    late = incident.detected_at - timedelta(minutes=10)
    response = _post(client, incident, engaged_at=_berlin(late))
    assert response.status_code == 422
    assert "Engaged" in response.get_data(as_text=True)
    assert "cannot be before detected" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).engaged_at == before
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="incident.moments")) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"detected_at": "yesterday"},
        {"engaged_at": "2026-13-45T99:99"},
        {"mitigated_at": "0001-01-01T00:00"},
        {"impact_started_at": "2026-11-30\x00T10:00"},
        {"impact_started_at": "\x1b[31m2026-11-30T10:00"},
        {"engaged_at": "9" * 25},
    ],
)
def test_garbage_times_are_a_422_form_error(client, incident, fields):
    response = _post(client, incident, **fields)
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)


def test_hostile_ids_and_missing_csrf(client, incident):
    assert client.get(f"/admin/incidents/{'9' * 25}/moments").status_code == 404
    assert client.post(f"/admin/incidents/{'9' * 25}/moments", data={}).status_code in (400, 404)
    assert client.post(_url(incident), data={"detected_at": "2026-11-30T10:00"}).status_code == 400


def test_a_viewer_cannot_correct_the_moments(client, ctx, as_viewer):
    made = create_incident(title="Slow")
    assert client.get(_url(made)).status_code == 403


def test_the_incident_page_shows_its_measures(client, incident):
    page = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    figures = page.split('id="moments-heading"', 1)[1].split("</section>", 1)[0]
    assert "<dt>Time to detect</dt><dd>0 s</dd>" in figures
    assert "<dt>Time to engage</dt><dd>5 min</dd>" in figures
    assert "<dt>Time to resolve</dt><dd>—</dd>" in figures  # still open
