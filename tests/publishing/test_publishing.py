import time

from sqlalchemy import event

from app.core.uow import unit_of_work
from app.extensions import db
from app.models import PublishedArtifact
from app.publishing.cache import artifact_cache
from app.publishing.publish import publish_site
from app.signals import public_changed
from tests.factories import create_component, create_incident


def test_strong_etag_last_modified_cache_control_and_304s(client, ctx):
    create_component()
    publish_site()
    first = client.get("/")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=60"
    assert first.last_modified is not None
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get("/", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get("/", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data
    api = client.get(
        "/api/v2/status.json",
        headers={"If-None-Match": client.get("/api/v2/status.json").headers["ETag"]},
    )
    assert api.status_code == 304 and api.headers["Access-Control-Allow-Origin"] == "*"


def test_unchanged_bytes_keep_their_etag_and_changed_ones_get_a_new_one(client, ctx):
    component = create_component()
    publish_site()
    page_etag = client.get("/").headers["ETag"]
    feed_etag = client.get("/history.atom").headers["ETag"]
    component.status = "major_outage"
    db.session.commit()
    publish_site()
    assert client.get("/").headers["ETag"] != page_etag
    assert client.get("/history.atom").headers["ETag"] == feed_etag


def test_posting_an_update_shows_in_page_json_and_both_feeds(client, ctx, app):
    api = create_component()
    publish_site()
    incident = create_incident(
        title="Checkout failing", components=[api], updates=[("Payments are failing.", "")]
    )
    with unit_of_work():  # what the update service does in its transaction
        public_changed.send(None)
    assert "Payments are failing." in client.get("/").get_data(as_text=True)
    page = client.get(f"/incidents/{incident.public_id}").get_data(as_text=True)
    assert "Payments are failing." in page
    summary = client.get("/api/v2/summary.json").get_json()
    assert summary["incidents"][0]["incident_updates"][0]["body"] == "Payments are failing."
    for feed in ("/history.atom", "/history.rss"):
        assert "Investigating: Checkout failing" in client.get(feed).get_data(as_text=True)


def test_a_change_reaches_another_process_within_two_seconds(app_factory, ctx):
    writer, reader = app_factory(), app_factory()
    with writer.app_context():
        create_component(name="Before")
        publish_site()
    reader_client = reader.test_client()
    assert "Before" in reader_client.get("/").get_data(as_text=True)
    with writer.app_context():
        create_component(slug="later", name="Added later")
        publish_site()
    deadline = time.monotonic() + 2.0
    while "Added later" not in reader_client.get("/").get_data(as_text=True):
        assert time.monotonic() < deadline, "the other process still serves the old page"
        time.sleep(0.05)


def test_reads_run_at_most_one_query_per_check_interval_and_render_nothing(client, app, ctx):
    create_component()
    publish_site()
    client.get("/")  # warm this process's copy
    statements, templates = [], []
    from flask import template_rendered

    def count(*args, **kwargs):
        statements.append(args[2] if len(args) > 2 else None)

    event.listen(db.engine, "before_cursor_execute", count)
    template_rendered.connect(lambda *a, **k: templates.append(a), app)
    try:
        artifact_cache(app).invalidate()
        started = time.monotonic()
        for path in ["/", "/history", "/api/v2/summary.json", "/history.rss", "/badge.svg"] * 20:
            assert client.get(path).status_code == 200
        elapsed = time.monotonic() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert templates == []
    assert 1 <= len(statements) <= 1 + int(elapsed / artifact_cache(app).check_seconds)


def test_nothing_published_yet_publishes_once_on_first_read(client, ctx):
    create_component(name="Fresh page")
    assert db.session.scalar(db.select(db.func.count(PublishedArtifact.id))) == 0
    assert "Fresh page" in client.get("/").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(PublishedArtifact.id))) > 10


def test_the_clock_task_republishes_when_a_new_day_moves_the_bars(client, ctx):
    from datetime import timedelta

    import time_machine

    from app import tasks
    from app.sqltypes import utcnow

    create_component()
    publish_site()
    before = client.get("/")
    tomorrow = utcnow() + timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        tasks.republish_for_the_clock.call_local()
    after = client.get("/")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert f"{tomorrow.day} {tomorrow:%B %Y}" in after.get_data(as_text=True)


def test_published_reads_set_no_cookie_and_views_serve_the_same_bytes(client, ctx):
    create_component()
    publish_site()
    plain = client.get("/")
    assert "Set-Cookie" not in plain.headers and "Cookie" not in plain.headers.get("Vary", "")
    via_view = client.get("/?utm_source=mail")  # a query string goes through Flask's view
    assert via_view.data == plain.data and via_view.headers["ETag"] == plain.headers["ETag"]
    assert client.get("/?x=1", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    head = client.head("/api/v2/status.json")
    assert head.status_code == 200 and head.headers["Access-Control-Allow-Origin"] == "*"


def test_public_changed_enqueues_a_publish_that_a_worker_runs(app, app_factory):
    from app.extensions import huey

    queue_app = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=None)
    with queue_app.app_context():
        queue = huey.lane  # publishing has a lane of its own
        queue.flush()
        create_component(name="Queued component")
        with unit_of_work():
            public_changed.send(None)
        assert queue.pending_count() == 1
        assert db.session.scalar(db.select(db.func.count(PublishedArtifact.id))) == 0
        queue.execute(queue.dequeue())
        db.session.rollback()
        index = db.session.scalar(db.select(PublishedArtifact).filter_by(path="/"))
        assert b"Queued component" in index.body


def test_a_burst_of_changes_costs_one_publish(ctx):
    from app.publishing.changes import pending
    from app.publishing.outbox import record_change
    from app.publishing.publish import current_generation, publish_changes

    create_component()
    incident = create_incident(updates=[("Looking.", "")])
    seen = current_generation()
    record_change(incident=incident.public_id)
    record_change(components=["api"])
    record_change(incident=incident.public_id)
    assert publish_changes() == seen + 1  # all three, in one generation
    assert not pending()
    assert publish_changes() is None  # the later tasks for the same burst find nothing
    assert current_generation() == seen + 1


def test_pages_stay_up_when_the_database_goes_away(app_factory, tmp_path):
    from flask_migrate import upgrade

    database = tmp_path / "own.db"
    own = app_factory(DATABASE_URL=f"sqlite:///{database}", PUBLISH_CHECK_SECONDS=0)
    with own.app_context():
        upgrade()
        create_component(name="Still here")
        publish_site()
    reader = own.test_client()
    assert "Still here" in reader.get("/").get_data(as_text=True)
    with own.app_context():
        db.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"own.db{suffix}").unlink(missing_ok=True)
    response = reader.get("/")
    assert response.status_code == 200 and "Still here" in response.get_data(as_text=True)


def test_a_queue_that_is_down_does_not_fail_the_change_that_was_committed(app, app_factory, caplog):
    down = app_factory(HUEY_IMMEDIATE=False, REDIS_URL="redis://127.0.0.1:9/0")
    with down.app_context():
        create_component(name="Committed anyway")
        with unit_of_work():  # its commit must not fail on the queue
            public_changed.send(None)
    assert "could not enqueue a re-publish" in caplog.text
