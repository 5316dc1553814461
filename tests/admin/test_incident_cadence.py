from datetime import timedelta

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import AuditEvent, Incident
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_component, create_subscriber


def _declare(lead):
    api = create_component(slug="api", name="API")
    create_subscriber(email="reader@example.net")
    with unit_of_work():
        return declare_incident(
            UpdateDraft(
                component_statuses={api.public_id: "major_outage"},
                external_body="We are investigating.",
            ),
            title="Checkout failing",
            severity="SEV1",
            actor=lead,
        )


def _local(value):
    """A UTC time as the datetime-local text the form takes (the page timezone is UTC here)."""
    return value.strftime("%Y-%m-%dT%H:%M")


def test_incident_page_shows_cadence_figures_and_emails_sent(client, as_lead):
    incident = _declare(as_lead)
    html = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    assert "Update cadence" in html and "Due windows met" in html
    assert "Snooze reminder" in html
    assert "Deliveries by channel" in html and "external" in html


def test_a_lead_snoozes_with_a_reason(client, as_lead):
    incident = _declare(as_lead)
    url = f"/admin/incidents/{incident.public_id}"
    until = (utcnow() + timedelta(minutes=40)).replace(second=0, microsecond=0)
    response = client.post(
        url + "/snooze",
        data={"csrf_token": csrf_token(client, url), "until": _local(until), "reason": "vendor"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).next_update_due_at == until
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="incident.snoozed"))
    assert event.detail["reason"] == "vendor"


def test_a_snooze_without_reason_or_beyond_the_limit_changes_nothing(client, as_lead):
    incident = _declare(as_lead)
    due = incident.next_update_due_at
    url = f"/admin/incidents/{incident.public_id}"
    for until, reason in [(utcnow() + timedelta(minutes=30), ""),
                          (utcnow() + timedelta(hours=3), "vendor")]:  # fmt: skip
        data = {"csrf_token": csrf_token(client, url), "until": _local(until), "reason": reason}
        page = client.post(url + "/snooze", data=data, follow_redirects=True)
        assert page.status_code == 200
        assert "Say why" in page.text or "at most 1 h 00 min ahead" in page.text, page.text[
            page.text.find("<main") :
        ][:600]
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).next_update_due_at == due


def test_viewers_cannot_snooze(client, as_viewer):
    from tests.factories import create_incident

    incident = create_incident(next_update_due_at=utcnow() + timedelta(minutes=10))
    url = f"/admin/incidents/{incident.public_id}"
    data = {"csrf_token": csrf_token(client, url), "until": _local(utcnow()), "reason": "x"}
    assert client.post(url + "/snooze", data=data).status_code == 403


def test_after_a_snooze_the_update_form_promises_the_new_time(client, as_lead):
    from app.reminders.tick import snooze_incident

    incident = _declare(as_lead)
    until = (utcnow() + timedelta(minutes=50)).replace(second=0, microsecond=0)
    with unit_of_work():
        snooze_incident(incident, until=until, reason="vendor", actor=as_lead)
    html = client.get(f"/admin/incidents/{incident.public_id}/updates/new").get_data(as_text=True)
    assert f"next update by {until.strftime('%Y-%m-%d %H:%M')} UTC" in html
