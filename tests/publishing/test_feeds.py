import os
from datetime import timedelta

import feedparser

from app.models import PublishedArtifact
from app.publishing.publish import publish_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_settings


def seed():
    create_settings(page_name="Acme Status")
    api = create_component(slug="api", name="API")
    cdn = create_component(slug="cdn", name="CDN")
    api_incident = create_incident(
        title="API errors",
        components=[api],
        updates=[("We are **looking**.", "internal"), ("", "internal only")],
    )
    cdn_incident = create_incident(
        title="CDN slow",
        state="monitoring",
        components=[cdn],
        started_minutes_ago=10,
        updates=[("A fix is out.", "")],
    )
    return api_incident, cdn_incident


def test_site_feeds_parse_with_one_entry_per_external_update(client, ctx):
    _, cdn_incident = seed()
    publish_site()
    for ext, mimetype in (("atom", "application/atom+xml"), ("rss", "application/rss+xml")):
        response = client.get(f"/history.{ext}")
        assert response.mimetype == mimetype
        feed = feedparser.parse(response.data)
        assert not feed.bozo, feed.bozo_exception
        assert [e.title for e in feed.entries] == [
            "Monitoring: CDN slow",
            "Investigating: API errors",
        ]
        newest = feed.entries[0]
        assert newest.id.startswith("tag:status.example.test,")
        assert newest.id.endswith(
            f"/incidents/{cdn_incident.public_id}/{cdn_incident.updates[0].public_id}"
        )
        assert newest.link == f"http://status.example.test/incidents/{cdn_incident.public_id}"
        assert "A fix is out." in (newest.get("content") or [newest])[0].get(
            "value", newest.get("summary", "")
        )
        rels = {link.get("rel"): link.href for link in feed.feed.links}
        assert rels["self"] == f"http://status.example.test/history.{ext}"
    atom = feedparser.parse(client.get("/history.atom").data)
    assert "<strong>looking</strong>" in atom.entries[1].content[0].value


def test_component_feeds_hold_only_that_components_incidents(client, ctx):
    seed()
    publish_site()
    for ext in ("atom", "rss"):
        feed = feedparser.parse(client.get(f"/components/api/history.{ext}").data)
        assert not feed.bozo
        assert [e.title for e in feed.entries] == ["Investigating: API errors"]
    page = client.get("/components/api/history").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page and 'href="/components/api/history.atom"' in page
    assert client.get("/components/nope/history.atom").status_code == 404


def test_feed_bytes_do_not_depend_on_when_they_were_rendered(ctx):
    seed()
    publish_site(now=utcnow())
    first = {
        row.path: row.body
        for row in PublishedArtifact.query.filter(PublishedArtifact.path.like("%history.%"))
    }
    publish_site(now=utcnow() + timedelta(days=3, hours=5))
    again = {
        row.path: row.body
        for row in PublishedArtifact.query.filter(PublishedArtifact.path.like("%history.%"))
    }
    assert len(first) == 6 and first == again


def test_feeds_match_their_golden_files(ctx):
    """Byte-for-byte: a change to the feeds' shape shows up here as a reviewable diff."""
    from datetime import UTC, datetime
    from pathlib import Path

    from app.extensions import db

    golden = Path(__file__).parent / "golden"
    create_settings(page_name="Acme Status")
    api = create_component(slug="api", name="API")
    incident = create_incident(
        title="API errors",
        components=[api],
        updates=[("We are *looking* at <script>x</script> errors.", "INTERNAL"), ("Fixed.", "")],
        public_id="inc000000001",
    )
    start = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    for n, update in enumerate(incident.updates):
        update.public_id = f"upd00000000{n}"
        update.posted_at = start + timedelta(minutes=20 * n)
    db.session.commit()
    publish_site(now=start + timedelta(hours=1))
    for name in ("history.atom", "history.rss", "components/api/history.atom"):
        body = db.session.scalar(db.select(PublishedArtifact).filter_by(path=f"/{name}")).body
        expected = golden / name.replace("/", "_")
        if os.environ.get("CRIER_UPDATE_GOLDEN"):  # regenerate, then review the diff
            expected.write_bytes(body)
        assert body == expected.read_bytes(), f"{name} differs from {expected}"


def test_feeds_announce_scheduled_maintenance(client, ctx):
    api = create_component(slug="api", name="API")
    create_incident(
        title="Database upgrade",
        kind="maintenance",
        state="scheduled",
        components=[api],
        started_minutes_ago=-24 * 60,
        scheduled_for=utcnow() + timedelta(days=1),
        scheduled_until=utcnow() + timedelta(days=1, hours=1),
        updates=[("We will upgrade the database.", "")],
    )
    publish_site()
    for path in ("/history.atom", "/components/api/history.rss"):
        feed = feedparser.parse(client.get(path).data)
        assert [e.title for e in feed.entries] == ["Scheduled: Database upgrade"]
    assert "Database upgrade" not in client.get("/history").get_data(as_text=True)
