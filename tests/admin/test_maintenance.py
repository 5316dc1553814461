from datetime import timedelta

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.maintenance import schedule_maintenance
from app.models import Incident, State
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_component

NEW = "/admin/maintenance/new"


def _local(dt):
    return dt.strftime("%Y-%m-%dT%H:%M")  # the page's timezone is UTC in these tests


def test_scheduling_a_window_from_the_form(client, as_lead):
    db_component = create_component(slug="db", name="Databases")
    start = utcnow() + timedelta(days=1)
    data = {
        "csrf_token": csrf_token(client, NEW),
        "title": "Database upgrade",
        "scheduled_for": _local(start),
        "scheduled_until": _local(start + timedelta(hours=2)),
        "components": [db_component.public_id],
        "notify": "y",
    }
    response = client.post(NEW, data=data)
    assert response.status_code == 302
    window = db.session.scalar(db.select(Incident))
    assert window.state == State.scheduled and window.components[0].component == db_component
    assert "maintenance on **Databases**" in window.updates[0].external_body
    listing = client.get("/admin/maintenance").get_data(as_text=True)
    assert "Database upgrade" in listing


def test_bad_windows_get_form_errors(client, as_lead):
    start = utcnow() + timedelta(days=1)
    good = {
        "title": "Upgrade",
        "scheduled_for": _local(start),
        "scheduled_until": _local(start + timedelta(hours=1)),
    }
    cases = [
        ({"title": ""}, "Give the incident a title."),
        ({"scheduled_until": _local(start - timedelta(hours=1))}, "must end after it starts"),
        ({"scheduled_for": "soon"}, "Not a valid datetime value"),
        ({"components": ["ghost"]}, "There is no component"),
        ({"internal_body": "<script>alert(1)</script>"}, "Raw HTML"),
    ]
    for fields, message in cases:
        data = {"csrf_token": csrf_token(client, NEW)} | good | fields
        response = client.post(NEW, data=data)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert db.session.scalar(db.select(Incident.id)) is None


def test_editing_starting_and_cancelling_by_hand(client, as_lead):
    start = utcnow() + timedelta(days=1)
    with unit_of_work():
        window = schedule_maintenance(
            title="Upgrade",
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=1),
            actor=as_lead,
        )
    url = f"/admin/maintenance/{window.public_id}/edit"
    assert 'value="Upgrade"' in client.get(url).get_data(as_text=True)
    later = start + timedelta(hours=5)
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "Upgrade",
        "scheduled_for": _local(later),
        "scheduled_until": _local(later + timedelta(hours=1)),
    }
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(window)
    assert "changed this maintenance" in window.updates[-1].external_body
    url = f"/admin/maintenance/{window.public_id}/start"
    assert "is under way" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.refresh(window)
    assert window.state == State.in_progress
    again = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert again.status_code == 422 and "in progress" in again.get_data(as_text=True)
    url = f"/admin/maintenance/{window.public_id}/cancel"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.refresh(window)
    assert window.state == State.cancelled


def test_dates_out_of_range_are_form_errors_in_any_timezone(client, as_lead):
    from tests.factories import create_settings

    create_settings(timezone="Asia/Tokyo")
    for start, end in [("0001-01-01T00:00", "0001-01-01T05:00"), ("9999-12-31T20:00", None)]:
        data = {
            "csrf_token": csrf_token(client, NEW),
            "title": "Upgrade",
            "scheduled_for": start,
            "scheduled_until": end or "9999-12-31T23:00",
        }
        response = client.post(NEW, data=data)
        assert response.status_code == 422
        assert "Give a date between 1970 and 2999" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Incident.id)) is None
