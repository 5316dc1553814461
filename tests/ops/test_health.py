"""/healthz, /readyz and /metrics: for load balancers, rolling restarts and Prometheus."""

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from app.core.worker import record_heartbeat
from app.extensions import db
from app.models import Dispatch, DispatchStatus, PublishDirty, Update, WorkerHeartbeat
from app.publishing.publish import publish_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def _samples(text):
    """{(name, labels as a sorted tuple): value} of a scrape."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_healthz_answers_while_the_database_is_away(app_factory, tmp_path):
    away = app_factory(DATABASE_URL=f"sqlite:///{tmp_path}/missing/folder/crier.db")
    response = away.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_database_queue_and_a_recent_worker(app, client, ctx):
    record_heartbeat("worker-a:1")
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"database": "ok", "queue": "ok", "worker": "ok"}


def test_readyz_is_a_503_that_names_a_silent_worker(app, client, ctx):
    old = utcnow() - timedelta(minutes=10)
    db.session.add(WorkerHeartbeat(worker="gone:1", last_seen_at=old))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["queue"] == "ok"
    assert body["worker"].startswith("last seen 600 s ago")


def test_readyz_is_a_503_when_the_database_is_away(app_factory, tmp_path):
    away = app_factory(DATABASE_URL=f"sqlite:///{tmp_path}/missing/folder/crier.db")
    response = away.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


def test_readyz_reads_the_real_queue(app, app_factory):
    queued = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=None)
    with queued.app_context():
        record_heartbeat("worker-a:1")
    response = queued.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()


def test_metrics_show_requests_publishing_queues_dispatches_and_workers(app, client, ctx):
    incident = create_incident(title="Slow checkout", components=[create_component(name="API")])
    update = Update(incident=incident, state="investigating", external_body="Hm.")
    db.session.add(update)
    db.session.flush()
    db.session.add(
        Dispatch(update_id=update.id, audience="external", status=DispatchStatus.failed,
                 recipients_count=9, accepted_count=5, failed_count=4)
    )  # fmt: skip
    db.session.commit()
    publish_site()
    old = utcnow() - timedelta(seconds=42)
    db.session.add(PublishDirty(kind="incident", key="x", created_at=old))
    db.session.commit()
    record_heartbeat("worker-a:1")
    assert client.get("/").status_code == 200

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Cache-Control"] == "no-store"
    samples = _samples(response.get_data(as_text=True))
    assert samples[("crier_http_requests_total", (("code", "200"), ("method", "GET")))] >= 1
    assert samples[("crier_publish_generation", ())] >= 1
    assert samples[("crier_publish_last_duration_seconds", ())] > 0
    assert samples[("crier_publish_pending_changes", ())] == 1
    assert samples[("crier_publish_staleness_seconds", ())] >= 42
    for lane in ("fanout", "publish"):
        assert samples[("crier_queue_depth", (("lane", lane),))] == 0
    assert samples[("crier_dispatches", (("status", "failed"),))] == 1
    assert samples[("crier_dispatch_recipients_total", (("outcome", "accepted"),))] == 5
    assert samples[("crier_dispatch_recipients_total", (("outcome", "failed"),))] == 4
    assert samples[("crier_worker_heartbeat_age_seconds", (("worker", "worker-a:1"),))] < 60
    assert samples[("crier_up", (("check", "database"),))] == 1
    assert ("crier_reminders_sent_total", (("level", "lead"),)) in samples


def test_metrics_are_refused_from_outside_unless_the_token_or_network_allows(app_factory):
    closed = app_factory().test_client()
    assert closed.get("/metrics", environ_base=OUTSIDE).status_code == 403
    # A proxy we were not told about: its X-Forwarded-For makes loopback no proof of anything.
    assert closed.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403

    with_token = app_factory(METRICS_TOKEN="s3cret-scrape-token").test_client()
    bearer = {"Authorization": "Bearer s3cret-scrape-token"}
    assert with_token.get("/metrics", environ_base=OUTSIDE, headers=bearer).status_code == 200
    wrong = {"Authorization": "Bearer nope"}
    assert with_token.get("/metrics", environ_base=OUTSIDE, headers=wrong).status_code == 403

    network = app_factory(METRICS_NETWORKS="10.0.0.0/8, 203.0.113.0/24").test_client()
    assert network.get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert network.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 403


def test_a_bad_metrics_network_stops_start_up(app_factory):
    import pytest

    from app.config import ConfigError

    with pytest.raises(ConfigError, match="METRICS_NETWORKS"):
        app_factory(METRICS_NETWORKS="10.0.0.0/8, not-a-network")


def test_health_and_metrics_are_never_rate_limited(app, client, ctx):
    record_heartbeat("worker-a:1")
    for _ in range(120):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
