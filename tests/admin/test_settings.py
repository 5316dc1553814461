from app.extensions import db
from app.models import AuditEvent, Setting, default_cadence_policy
from tests.conftest import csrf_token

URL = "/admin/settings"


def _data(client, **fields):
    cells = {
        f"cadence-{sev}-{state}": str(minutes)
        for sev, row in default_cadence_policy().items()
        for state, minutes in row.items()
    }
    return (
        {
            "csrf_token": csrf_token(client, URL),
            "page_name": "Acme Status",
            "timezone": "Europe/Berlin",
            "brand_color": "#123456",
        }
        | cells
        | fields
    )


def test_an_admin_saves_settings_and_the_cadence_table(client, as_admin):
    html = client.get(URL).get_data(as_text=True)
    assert 'name="cadence-SEV1-investigating"' in html and 'value="15"' in html
    response = client.post(URL, data=_data(client, **{"cadence-SEV2-monitoring": "45"}))
    assert response.status_code == 302
    setting = db.session.scalar(db.select(Setting))
    assert setting.timezone == "Europe/Berlin" and setting.cadence_for("SEV2", "monitoring") == 45


def test_bad_settings_are_form_errors(client, as_admin):
    for fields, message in [
        ({"page_name": ""}, "Give the page a name"),
        ({"timezone": "Nowhere/Land"}, "Unknown timezone"),
        ({"brand_color": "blue"}, "six hex digits"),
        ({"cadence-SEV1-identified": "-5"}, "SEV1 identified: give whole minutes"),
    ]:
        response = client.post(URL, data=_data(client, **fields))
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert db.session.scalar(db.select(Setting.id)) is None


def test_leads_and_viewers_read_settings_but_cannot_save(client, as_lead):
    html = client.get(URL).get_data(as_text=True)
    assert "<fieldset disabled>" in html
    assert client.post(URL, data=_data(client)).status_code == 403
    assert db.session.scalar(db.select(AuditEvent.id)) is None


def test_an_admin_sets_the_reminder_warning_and_webhook(client, as_admin):
    data = _data(client, warning_lead_minutes="10", slack_webhook_url="https://hooks.example/x")
    assert client.post(URL, data=data).status_code == 302
    setting = db.session.scalar(db.select(Setting))
    assert setting.warning_lead_minutes == 10
    assert setting.slack_webhook_url == "https://hooks.example/x"
    bad = client.post(URL, data=_data(client, slack_webhook_url="ftp://hooks.example/x"))
    assert bad.status_code == 422 and "https://" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(Setting)).slack_webhook_url == "https://hooks.example/x"
