from app.extensions import db
from app.models import User
from tests.conftest import csrf_token


def _save(client, **fields):
    return client.post(
        "/admin/profile", data={"csrf_token": csrf_token(client, "/admin/profile"), **fields}
    )


def test_anyone_sets_their_own_timezone_and_reminder_webhook(client, as_viewer):
    response = _save(client, timezone="Europe/Berlin",
                     slack_webhook_url="https://hooks.example.com/T1/B2")  # fmt: skip
    assert response.status_code == 302
    user = db.session.get(User, as_viewer.id)
    assert (user.timezone, user.slack_webhook_url) == (
        "Europe/Berlin",
        "https://hooks.example.com/T1/B2",
    )


def test_bad_timezone_or_webhook_is_a_form_error_and_changes_nothing(client, as_lead):
    for fields, message in [
        ({"timezone": "Mars/Base", "slack_webhook_url": ""}, "Unknown timezone"),
        ({"timezone": "UTC", "slack_webhook_url": "http://plain.example.com"}, "https://"),
    ]:
        response = _save(client, **fields)
        assert response.status_code == 422 and message in response.text
    db.session.expire_all()
    user = db.session.get(User, as_lead.id)
    assert user.slack_webhook_url is None


def test_the_profile_never_shows_the_webhook_a_blank_keeps_it_the_box_clears_it(client, as_lead):
    secret = "https://hooks.example.com/services/T1/B2/pers0nalAB12"
    assert _save(client, timezone="UTC", slack_webhook_url=secret).status_code == 302
    html = client.get("/admin/profile").text
    assert "pers0nal" not in html and "set (hooks.example.com, ending …AB12)" in html
    assert _save(client, timezone="Europe/Berlin", slack_webhook_url="").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, as_lead.id).slack_webhook_url == secret
    bad = _save(client, timezone="UTC", slack_webhook_url="https://u:p@hooks.example.com/x")
    assert bad.status_code == 422 and "no user:pass@" in bad.text and "u:p@" not in bad.text
    assert _save(client, timezone="UTC", clear_slack_webhook_url="y").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, as_lead.id).slack_webhook_url is None
