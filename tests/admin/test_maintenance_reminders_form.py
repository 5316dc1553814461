"""The schedule form asks for reminders before the start, and refuses unreadable times."""

import re
from datetime import timedelta

from app.extensions import db
from app.models import Incident
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_component

NEW = "/admin/maintenance/new"


def _data(client, days=1, **fields) -> dict:
    start = utcnow() + timedelta(days=days)
    return {
        "csrf_token": csrf_token(client, NEW),
        "title": "Database upgrade",
        "scheduled_for": start.strftime("%Y-%m-%dT%H:%M"),
        "scheduled_until": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "components": [create_component(slug="db", name="Databases").public_id],
        **fields,
    }


def test_the_form_schedules_reminders(client, as_lead):
    page = client.get(NEW).get_data(as_text=True)
    assert "Remind subscribers before it starts" in page
    assert "(24h, 1h)." in page  # the page's own times, when the field is left blank
    response = client.post(NEW, data=_data(client, remind_prior="y", remind_minutes="2h, 30m"))
    assert response.status_code == 302
    window = db.session.scalar(db.select(Incident))
    assert window.remind_prior is True and window.remind_minutes == "120,30"


def test_unreadable_reminder_times_are_a_form_error(client, as_lead):
    response = client.post(NEW, data=_data(client, remind_prior="y", remind_minutes="soon"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="remind_minutes-error"' in html and "24h, 1h" in html
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_a_windows_page_lists_its_notices_sent_and_to_come(client, as_lead):
    from app.incidents.maintenance import advance_maintenance

    response = client.post(
        NEW, data=_data(client, 2, remind_prior="y", notify="y", auto_notify="y")
    )
    url = response.headers["Location"]
    window = db.session.scalar(db.select(Incident))
    advance_maintenance(now=window.scheduled_for - timedelta(minutes=30))  # the 1h reminder

    html = client.get(url).get_data(as_text=True)
    section = html[html.index('id="notices-heading"') : html.index("Deliveries by channel")]
    rows = re.findall(
        r'<tr class="notice-([\w-]+)">\s*<td data-label="Notice">([^<]+)</td>', section
    )
    assert rows == [
        ("sent", "Scheduled"),
        ("passed-over", "Reminder 24h before"),
        ("sent", "Reminder 1h before"),
        ("to-come", "At start"),
        ("to-come", "At completion"),
    ]


def test_the_edit_form_shows_the_notices_to_come(client, as_lead):
    client.post(NEW, data=_data(client, 2, remind_prior="y", remind_minutes="3h", notify="y"))
    window = db.session.scalar(db.select(Incident))
    html = client.get(f"/admin/maintenance/{window.public_id}/edit").get_data(as_text=True)
    assert 'id="notices-heading"' in html
    assert re.search(
        r'<tr class="notice-to-come">\s*<td data-label="Notice">Reminder 3h before', html
    )
