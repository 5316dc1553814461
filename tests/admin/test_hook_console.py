import pytest
from flask import g

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.hooks import subscribe_webhook
from app.fanout.stakeholders import create_group
from app.models import StakeholderGroup
from tests.conftest import csrf_token
from tests.factories import create_incident, create_settings, post_update


@pytest.fixture
def endpoint(app, as_admin):
    from tests.servers import HookServer

    app.config.update(
        HOOK_DISABLE_AFTER=1, HOOK_DISABLE_MIN_SECONDS=0, HOOK_SUBSCRIBERS_ALLOW_PRIVATE=True
    )
    from app.models import Setting

    settings = db.session.scalar(db.select(Setting)) or create_settings()
    settings.allow_private_outbound = True
    db.session.commit()
    g.pop("crier_settings", None)
    server = HookServer().start()
    yield server
    server.stop()


def test_the_console_shows_numbers_per_channel_and_why_a_subscriber_was_disabled(client, endpoint):
    with unit_of_work():
        subscribe_webhook(endpoint.url + "/ok")
    with unit_of_work():
        subscribe_webhook(endpoint.url + "/gone")
    endpoint.answer(200)  # /ok (subscribers are tried in id order)
    endpoint.answer(410)  # /gone: permanent, no retry
    incident = create_incident()
    post_update(incident, external="Investigating.")
    html = client.get(f"/admin/incidents/{incident.public_id}/dispatches").get_data(as_text=True)
    row = html[html.index('<td data-label="Channel">webhook</td>') :].split("</tr>")[0]
    assert '<td data-label="Recipients">2</td>' in row
    assert '<td data-label="Accepted">1' in row and '<td data-label="Failed">1</td>' in row
    assert '<td data-label="Channel">email</td>' in html
    listing = client.get("/admin/subscribers").get_data(as_text=True)
    assert "disabled" in listing and "the endpoint answered 410" in listing
    assert endpoint.url.split("//")[1].split(":")[0] in listing  # the host, never the path
    assert "/gone" not in listing


def test_a_group_slack_webhook_is_set_never_shown_and_checked(client, endpoint):
    with unit_of_work():
        group = create_group(name="Support", emails="help@example.com")
    url = f"/admin/stakeholders/{group.id}"
    data = {"name": "Support", "emails": "help@example.com", "min_severity": "SEV2"}
    secret = "https://hooks.slack.com/services/T1/B2/secret"
    response = client.post(
        url, data={**data, "slack_url": secret, "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StakeholderGroup, group.id).slack_webhook_url == secret
    g.pop("csrf_token", None)
    assert "secret" not in client.get(url).get_data(as_text=True).replace("csrf_token", "")
    response = client.post(
        url, data={**data, "slack_url": "ftp://x", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 422 and "Slack webhook must be" in response.get_data(
        as_text=True
    )


def test_a_webhook_dispatch_with_a_failed_delivery_reads_failed_on_the_console(client, endpoint):
    with unit_of_work():
        subscribe_webhook(endpoint.url + "/ok")
    with unit_of_work():
        subscribe_webhook(endpoint.url + "/broken")
    endpoint.answer(200)
    endpoint.answer(404)
    incident = create_incident()
    post_update(incident, external="Investigating.")
    html = client.get(f"/admin/incidents/{incident.public_id}/dispatches").get_data(as_text=True)
    row = html[html.index('<td data-label="Channel">webhook</td>') :].split("</tr>")[0]
    assert '<strong class="overdue">failed</strong>' in row
    assert "1 of 2 deliveries failed; last: the endpoint answered 404" in row
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "<strong>Webhook failed</strong>" in dashboard
    assert "(external, 1 of 2 delivered)" in dashboard
    assert "external webhook: failed," in dashboard
