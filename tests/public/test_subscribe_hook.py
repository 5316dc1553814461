import pytest
from flask import g

from app.extensions import db
from app.models import HookSubscriber
from tests.conftest import csrf_token
from tests.factories import create_settings


@pytest.fixture
def endpoint(app, ctx):
    from tests.servers import HookServer

    create_settings()
    app.config["HOOK_SUBSCRIBERS_ALLOW_PRIVATE"] = True  # the endpoint is on 127.0.0.1
    server = HookServer().start()
    yield server
    server.stop()


def _post(client, **data):
    g.pop("csrf_token", None)
    token = csrf_token(client, "/subscribe/webhook")
    return client.post("/subscribe/webhook", data={"csrf_token": token, **data})


def test_a_webhook_subscribes_from_the_public_page_and_sees_its_secret_once(client, endpoint):
    response = _post(client, kind="webhook", url=endpoint.url + "/hook")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "We'll confirm your webhook shortly" in html
    sub = db.session.scalar(db.select(HookSubscriber))  # confirmed by the queued challenge
    assert sub.secret in html and sub.confirmed_at is not None
    assert response.headers["Cache-Control"] == "no-store"


def test_a_bad_url_is_a_422_with_a_message_and_stores_nothing(client, endpoint):
    response = _post(client, kind="webhook", url="ftp://example.com/x")
    assert response.status_code == 422
    assert "must be an https:// or http:// URL" in response.get_data(as_text=True)
    endpoint.echo = False
    response = _post(client, kind="webhook", url=endpoint.url + "/hook")
    assert len(endpoint.hits) == 1  # challenged after the answer; not echoed: not kept
    assert db.session.scalar(db.select(HookSubscriber)) is None


@pytest.mark.parametrize("kind", ["webhook", "slack"])
def test_the_anonymous_form_never_opens_private_networks_and_says_only_not_allowed(
    app, client, endpoint, kind
):
    """The page-wide setting is on (an admin's Mattermost, say); the form still refuses."""
    from app.core.settings import page_settings

    app.config["HOOK_SUBSCRIBERS_ALLOW_PRIVATE"] = False
    page_settings().allow_private_outbound = True
    db.session.commit()
    https = endpoint.url.replace("http://", "https://")
    for url in (https + "/services/T/B/X", "https://localhost/services/T/B/X"):
        response = _post(client, kind=kind, url=url)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "not allowed" in html or "hooks.slack.com" in html
        for leak in ("127.0.0.1 is", "loopback", "refused", "answered"):
            assert leak not in html
    assert endpoint.hits == [] and db.session.scalar(db.select(HookSubscriber)) is None


def test_a_slack_channel_confirms_by_the_posted_link_and_unsubscribes(client, endpoint):
    response = _post(client, kind="slack", url=endpoint.url + "/services/T/B/X")
    assert "Check your Slack channel" in response.get_data(as_text=True)
    link = endpoint.hits[0].json["blocks"][-1]["elements"][0]["url"]
    path = link.removeprefix("http://status.example.test")
    assert (
        db.session.scalar(db.select(HookSubscriber)).confirmed_at is None
    )  # not before the button
    g.pop("csrf_token", None)
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert "Your Slack channel is subscribed" in done.get_data(as_text=True)
    db.session.expire_all()
    sub = db.session.scalar(db.select(HookSubscriber))
    assert sub.is_active
    from app.fanout.hooks import hook_token

    assert client.post(f"/hooks/unsubscribe/{hook_token(sub)}").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(HookSubscriber)).unsubscribed_at is not None
    assert client.post("/hooks/unsubscribe/forged").status_code == 404
