from flask import g

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


SECRET = "https://hooks.example.com/services/T000/B000/s3cr3tXYZ9"


def _store_page_webhook():
    db.session.add(Setting(page_name="Acme", timezone="UTC", slack_webhook_url=SECRET))
    db.session.commit()
    g.pop("crier_settings", None)  # the test's app context outlives a request's cache


def test_a_viewer_never_sees_the_page_webhook(client, as_viewer):
    _store_page_webhook()
    html = client.get(URL).text
    assert "s3cr3t" not in html and "/services/" not in html
    assert "set (hooks.example.com, ending …XYZ9)" in html


def test_the_admin_form_never_shows_the_webhook_and_a_blank_keeps_it(client, as_admin):
    _store_page_webhook()
    assert "s3cr3t" not in client.get(URL).text
    assert client.post(URL, data=_data(client, slack_webhook_url="")).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(Setting)).slack_webhook_url == SECRET
    bad = client.post(
        URL, data=_data(client, slack_webhook_url="https://x.example.com/t", page_name="")
    )
    assert bad.status_code == 422 and "x.example.com/t" not in bad.text  # not echoed either
    data = _data(client, clear_slack_webhook_url="y")
    assert client.post(URL, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(Setting)).slack_webhook_url is None
    assert "not set" in client.get(URL).text


def test_a_webhook_with_credentials_is_a_form_error(client, as_admin):
    data = _data(client, slack_webhook_url="https://user:pw@hooks.example.com/x")
    response = client.post(URL, data=data)
    assert response.status_code == 422 and "no user:pass@" in response.text
    assert db.session.scalar(db.select(Setting.id)) is None


def test_private_networks_are_off_until_an_admin_allows_them_and_it_is_audited(client, as_admin):
    assert 'name="allow_private_outbound" type="checkbox" value="y">' in client.get(URL).text
    hook = "http://10.0.0.5:8080/hook"
    response = client.post(URL, data=_data(client, slack_webhook_url=hook))
    assert response.status_code == 422 and "must be an https:// URL" in response.text
    data = _data(client, slack_webhook_url=hook, allow_private_outbound="y")
    assert client.post(URL, data=data).status_code == 302
    setting = db.session.scalar(db.select(Setting))
    assert setting.allow_private_outbound is True and setting.slack_webhook_url == hook
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="settings.update"))
    assert "allow_private_outbound" in event.detail["changed"]
    assert hook not in str(event.detail)


def test_the_from_address_needs_a_real_domain(client, as_admin):
    for bad in ["status@localhost", "Crier <status@localhost>", "status@intranet", "nope"]:
        response = client.post(URL, data=_data(client, mail_from=bad))
        assert response.status_code == 422, bad
        assert "The From address" in response.text, bad
    assert db.session.scalar(db.select(Setting.id)) is None
    data = _data(client, mail_from="Acme Status <status@acme.com>")
    assert client.post(URL, data=data).status_code == 302
    assert db.session.scalar(db.select(Setting)).mail_from == "Acme Status <status@acme.com>"


def test_the_words_public_text_must_not_say_and_the_ticket_pattern_are_saved_and_checked(
    client, as_admin
):
    bad = client.post(URL, data=_data(client, ticket_pattern="[A-Z+"))
    assert bad.status_code == 422 and "not a regular expression" in bad.get_data(as_text=True)
    saved = client.post(
        URL,
        data=_data(
            client, blocked_words="Falcon\n\n  Acme Bank \nFalcon", ticket_pattern=r"INC\d+"
        ),
    )
    assert saved.status_code == 302
    setting = db.session.scalar(db.select(Setting))
    assert setting.blocked_words == "Falcon\nAcme Bank" and setting.ticket_pattern == r"INC\d+"
