import time

from app.extensions import db
from app.models import PublishedArtifact
from app.publishing.cache import ENTRY_OVERHEAD, artifact_cache, is_hot
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident


def _incidents(count):
    api = create_component()
    return [
        create_incident(title=f"Old incident {i}", components=[api], updates=[(f"Body {i}", "")])
        for i in range(count)
    ]


def test_hot_paths_are_the_ones_every_reader_asks_for():
    for path in ("/", "/history", "/api/v2/summary.json", "/history.atom", "/badge.svg"):
        assert is_hot(path)
    assert is_hot("/components/api/history") and is_hot("/components/api/history.rss")
    for path in ("/incidents/abc123", "/history/2", "/components/api/history/3"):
        assert not is_hot(path)


def test_old_pages_are_read_on_demand_into_a_bounded_cache(app_factory, ctx):
    incidents = _incidents(6)
    publish_site()
    row = db.session.scalar(
        db.select(PublishedArtifact).filter_by(path=f"/incidents/{incidents[0].public_id}")
    )
    assert row.body_gzip and row.body_br
    page_size = len(row.body) + len(row.body_gzip) + len(row.body_br)  # every byte held
    budget = 2 * (page_size + ENTRY_OVERHEAD) + page_size // 2  # two incident pages, not three
    reader = app_factory(ARTIFACT_CACHE_BYTES=budget)
    client = reader.test_client()
    for incident in incidents * 2:
        page = client.get(f"/incidents/{incident.public_id}")
        assert page.status_code == 200 and incident.title in page.get_data(as_text=True)
    cache = artifact_cache(reader)
    assert not any(path.startswith("/incidents/") for path in cache.items)
    assert 0 < cache.cold.size <= budget and len(cache.cold.entries) == 2
    held = 0  # the cache counts every encoding it holds, not only the identity bytes
    for path, (stored, _generation) in cache.cold.entries.items():
        row = db.session.scalar(db.select(PublishedArtifact).filter_by(path=path))
        assert set(stored.variants) == {"identity", "gzip", "br"}
        held += len(row.body) + len(row.body_gzip) + len(row.body_br) + ENTRY_OVERHEAD
    assert cache.cold.size == held
    assert "/" in cache.items and "/api/v2/summary.json" in cache.items


def test_old_pages_keep_etag_304_cache_control_and_security_headers(client, ctx):
    (incident,) = _incidents(1)
    publish_site()
    path = f"/incidents/{incident.public_id}"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert first.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=60"
    assert "frame-ancestors" not in first.headers["Content-Security-Policy"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/incidents/nosuchpage").status_code == 404


def test_a_changed_old_page_is_not_served_stale(app_factory, ctx):
    (incident,) = _incidents(1)
    publish_site()
    reader = app_factory(PUBLISH_CHECK_SECONDS=0.2).test_client()
    path = f"/incidents/{incident.public_id}"
    assert "Old incident 0" in reader.get(path).get_data(as_text=True)  # now in the LRU
    incident.title = "Renamed incident"
    db.session.commit()
    publish_site()
    deadline = time.monotonic() + 2.0
    while "Renamed incident" not in reader.get(path).get_data(as_text=True):
        assert time.monotonic() < deadline, "the reader still serves the old incident page"
        time.sleep(0.05)


def test_a_page_made_private_leaves_the_cold_cache(client, app, ctx):
    (incident,) = _incidents(1)
    publish_site()
    path = f"/incidents/{incident.public_id}"
    assert client.get(path).status_code == 200
    db.session.delete(incident)
    db.session.commit()
    publish_site()
    assert client.get(path).status_code == 404
    assert path not in artifact_cache(app).cold.entries


def test_an_old_page_the_database_cannot_give_is_a_503_not_a_500(app_factory, tmp_path):
    from flask_migrate import upgrade

    own = app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'own.db'}", PUBLISH_CHECK_SECONDS=0)
    with own.app_context():
        upgrade()
        (incident,) = _incidents(1)
        path = f"/incidents/{incident.public_id}"
        publish_site()
    reader = own.test_client()
    assert reader.get("/").status_code == 200  # the index knows the page; its bytes stay cold
    with own.app_context():
        db.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"own.db{suffix}").unlink(missing_ok=True)
    assert reader.get("/").status_code == 200
    response = reader.get(path)
    assert response.status_code == 503 and "database" in response.get_data(as_text=True)
