"""One bad artifact never freezes the public site: the rest publishes, the failure shows."""

import feedparser

from app.core.uow import unit_of_work
from app.extensions import db
from app.models import PublishedArtifact, PublishFailure
from app.publishing.publish import publish_failures, publish_site
from app.signals import public_changed
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_component,
    create_incident,
    create_settings,
    create_user,
)

TERMINAL = "Deploy log: \x1b[31mERROR\x1b[0m connection refused\r\nretrying\x07"


def _stored(path):
    return db.session.scalar(db.select(PublishedArtifact).filter_by(path=path))


def test_text_stored_with_control_characters_still_publishes_everywhere(client, ctx, app):
    # Rows written before the edge cleaned text: every artifact must still render.
    api = create_component(name="API\x1b[0m")
    incident = create_incident(
        title="Errors \x1b[31mred\x1b[0m", components=[api], updates=[(TERMINAL, "")]
    )
    publish_site()
    assert publish_failures() == []
    for path in ("/", f"/incidents/{incident.public_id}", "/history"):
        page = client.get(path).get_data(as_text=True)
        assert "\x1b" not in page and "\x07" not in page
    assert "[31mERROR[0m connection refused" in client.get("/").get_data(as_text=True)
    for path in ("/history.atom", "/history.rss", "/components/api/history.atom"):
        feed = feedparser.parse(client.get(path).data)
        assert not feed.bozo, (path, feed.bozo_exception)
        assert "ERROR" in feed.entries[0].summary
    summary = client.get("/api/v2/summary.json").get_json()
    assert summary["incidents"][0]["incident_updates"][0]["body"].startswith("Deploy log: [31m")
    assert "\x1b" not in client.get("/api/v2/summary.json").get_data(as_text=True)
    assert client.get("/badge.svg").status_code == 200


def _broken_feed_incident():
    """An incident whose stored public id feedgen refuses (a feed entry id is built from it);
    nothing cleans ids, so it stands for any artifact that fails to render."""
    incident = create_incident(title="Old row", updates=[("Fixed.", "")], state="resolved")
    incident.public_id = "old\x1bid"
    db.session.commit()
    return incident


def test_one_failing_artifact_keeps_its_last_version_and_the_rest_publish(client, ctx, app):
    create_component()
    first = create_incident(title="First outage", updates=[("Looking.", "")])
    publish_site()
    good_feed = client.get("/history.atom").data
    assert b"First outage" in good_feed
    _broken_feed_incident()
    second = create_incident(title="Second outage", updates=[("Payments failing.", "")])

    with unit_of_work():  # what every service does in its transaction
        public_changed.send(None)

    assert "Payments failing." in client.get("/").get_data(as_text=True)
    assert client.get(f"/incidents/{second.public_id}").status_code == 200
    titles = [i["name"] for i in client.get("/api/v2/incidents.json").get_json()["incidents"]]
    assert "Second outage" in titles and "First outage" in titles
    assert client.get("/history.atom").data == good_feed  # the last good version, not gone
    assert client.get("/history.rss").status_code == 200
    failed = {f.path: f.cause for f in publish_failures()}
    assert set(failed) == {"/history.atom", "/history.rss"}
    assert "XML compatible" in failed["/history.atom"]
    assert _stored("/history.atom").gone is False
    assert first.public_id


def test_failures_clear_when_a_later_publish_renders_the_path(client, ctx):
    create_component()
    broken = _broken_feed_incident()
    publish_site()
    assert [f.path for f in publish_failures()] == ["/history.atom", "/history.rss"]
    since = db.session.scalar(db.select(PublishFailure.failing_since).limit(1))
    publish_site()  # still failing: the same rows, the first time kept
    assert db.session.scalar(db.select(PublishFailure.failing_since).limit(1)) == since
    broken.public_id = "oldid"
    db.session.commit()
    publish_site()
    assert publish_failures() == []
    assert b"Old row" in client.get("/history.atom").data


def test_dashboard_shows_failures_in_red_until_fixed(client, ctx):
    create_user(email="admin@example.com", role="admin")
    login(client, "admin@example.com", PASSWORD)
    broken = _broken_feed_incident()
    publish_site()
    page = client.get("/admin/").get_data(as_text=True)
    assert 'class="worker-stale publish-failures" role="alert"' in page
    assert "<code>/history.atom</code>" in page and "XML compatible" in page
    broken.public_id = "oldid"
    db.session.commit()
    publish_site()
    assert "publish-failures" not in client.get("/admin/").get_data(as_text=True)


def test_flask_publish_lists_failures_and_exits_non_zero_but_publishes_the_rest(
    runner, client, ctx, tmp_path
):
    _broken_feed_incident()
    create_incident(title="Fresh news", updates=[("All fine now.", "")])
    result = runner.invoke(args=["publish"])
    assert result.exit_code == 1
    assert "Failed to render /history.atom: ValueError" in result.output
    assert "Fresh news" in client.get("/").get_data(as_text=True)
    exported = runner.invoke(args=["publish", "--out", str(tmp_path / "site")])
    assert exported.exit_code == 1 and "/history.rss" in exported.output
    assert "Fresh news" in (tmp_path / "site" / "index.html").read_text()


def test_a_stored_public_url_with_a_control_character_still_publishes_the_feeds(client, ctx):
    create_settings(public_url="https://status.example.com\x07")
    create_incident(title="Outage", updates=[("Looking.", "")])
    publish_site()
    assert publish_failures() == []
    feed = feedparser.parse(client.get("/history.atom").data)
    assert not feed.bozo and feed.feed.link.startswith("https://status.example.com/")
