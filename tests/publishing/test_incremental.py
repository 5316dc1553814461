"""Publishing proportional to the change: what a change touches is re-rendered, nothing else."""

from datetime import timedelta

import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.models import Component, PublishedArtifact
from app.publishing.changes import pending, render_changes
from app.publishing.outbox import record_change
from app.publishing.publish import current_generation, publish_site
from app.signals import public_changed
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_user


def _past(api, cdn, count: int, *, skip: int = 0):
    """``count`` resolved incidents, one a day backwards (after ``skip`` days)."""
    for n in range(skip, skip + count):
        create_incident(
            title=f"Past {n}",
            state="resolved",
            components=[api if n % 2 else cdn],
            updates=[(f"Update {k}.", "") for k in range(4)],
            started_minutes_ago=(n + 2) * 24 * 60,
            resolved_at=utcnow() - timedelta(days=n + 1),
        )


def _archive(past: int):
    """``past`` resolved incidents over two components, and one open incident."""
    api = create_component(slug="api", name="API")
    cdn = create_component(slug="cdn", name="CDN")
    _past(api, cdn, past)
    open_ = create_incident(title="Open now", components=[api], updates=[("Looking.", "")])
    publish_site()
    return open_


def _rendered(**change) -> list[str]:
    """The paths one change re-renders (what the publish task would store)."""
    record_change(**change)
    batch = render_changes()
    db.session.rollback()  # only counting: leave the outbox and the site as they were
    return sorted(a.path for a in batch.site.artifacts)


@pytest.mark.parametrize("change", ["incident", "components"])
def test_what_a_change_re_renders_does_not_grow_with_the_archive(ctx, change):
    open_ = _archive(20)
    scope = {"incident": open_.public_id} if change == "incident" else {}
    small = _rendered(**scope, components=["api"])
    api, cdn = db.session.scalars(db.select(Component).order_by(Component.slug))
    _past(api, cdn, 180, skip=20)
    publish_site()
    large = _rendered(**scope, components=["api"])
    assert len(small) == len(large) <= 25
    assert small == large  # the same artifacts: the archive behind them is left alone


def test_an_update_re_renders_its_pages_and_leaves_old_months_and_incidents_alone(client, ctx, app):
    from app.incidents.drafts import UpdateDraft
    from app.incidents.updates import post_update

    open_ = _archive(60)
    lead = create_user(role="admin")
    stored = {a.path: a.generation for a in db.session.scalars(db.select(PublishedArtifact))}
    months = [p for p in stored if p.startswith("/history/")]
    old_month = min(months, key=lambda p: [int(part) for part in p.split("/")[2:]])
    old_incident = next(
        p for p in stored if p.startswith("/incidents/") and p != f"/incidents/{open_.public_id}"
    )
    rendered = _rendered(incident=open_.public_id)
    assert f"/incidents/{open_.public_id}" in rendered and old_incident not in rendered
    assert {"/", "/history", "/history.atom", "/components/api/history"} <= set(rendered)
    assert "/components/cdn/history" not in rendered  # not affected

    with unit_of_work():
        post_update(
            open_, UpdateDraft(external_body="Found the cause."), state="identified", actor=lead
        )

    assert not pending()
    assert "Found the cause." in client.get(f"/incidents/{open_.public_id}").get_data(True)
    assert "Found the cause." in client.get("/").get_data(as_text=True)
    assert "Found the cause." in client.get("/components/api/history.atom").get_data(True)
    after = {a.path: a.generation for a in db.session.scalars(db.select(PublishedArtifact))}
    assert after[old_month] == stored[old_month]  # stable: its bytes were never rewritten
    assert after[old_incident] == stored[old_incident]


def test_a_settings_change_re_publishes_everything_in_batches_hot_first(client, ctx, app):
    from app.core.settings import update_settings
    from app.publishing import changes

    _archive(30)
    admin = create_user(role="admin")
    first = current_generation()
    old = changes.SWEEP_INCIDENTS, changes.SWEEP_MONTHS
    changes.SWEEP_INCIDENTS, changes.SWEEP_MONTHS = 10, 5
    try:
        with unit_of_work():
            update_settings(actor=admin, page_name="Renamed Status")
    finally:
        changes.SWEEP_INCIDENTS, changes.SWEEP_MONTHS = old
    assert current_generation() - first > 3  # several bounded batches, one generation each
    assert not pending()
    rows = list(db.session.scalars(db.select(PublishedArtifact).filter_by(gone=False)))
    assert [r.path for r in rows if b"Acme Status" in r.body] == []
    by_path = {r.path: r.generation for r in rows}
    hot = max(by_path["/"], by_path["/api/v2/summary.json"], by_path["/history.atom"])
    archive = [g for p, g in by_path.items() if p.startswith(("/incidents/", "/history/"))]
    assert hot == first + 1 and min(archive) > hot  # the hot artifacts came first
    assert "Renamed Status" in client.get("/history").get_data(as_text=True)


def test_a_component_made_private_leaves_every_page_it_had(client, ctx, app):
    from app.incidents.components import edit_component

    _archive(5)
    admin = create_user(role="admin")
    api = db.session.scalar(db.select(Component).filter_by(slug="api"))
    assert client.get("/components/api/history").status_code == 200
    with unit_of_work():
        edit_component(
            api, name="API", slug="api", description="", group_id=None, is_public=False, actor=admin
        )
    assert client.get("/components/api/history").status_code == 404
    assert client.get("/components/api/history.atom").status_code == 404


def test_a_change_the_queue_could_not_take_is_published_by_the_sweep(app, app_factory):
    from app import tasks

    down = app_factory(HUEY_IMMEDIATE=False, REDIS_URL="redis://127.0.0.1:9/0")
    with down.app_context():
        publish_site()
        incident = create_incident(title="Posted while the queue was down")
        with unit_of_work():
            public_changed.send(None, incident=incident.public_id)
        assert pending()  # the change is in the outbox, not lost
    with app.app_context():
        tasks.sweep_publishing.call_local()
        assert not pending()
        body = db.session.scalar(db.select(PublishedArtifact.body).filter_by(path="/"))
        assert b"Posted while the queue was down" in body


def test_the_clock_re_renders_only_what_time_moves(client, ctx):
    from app import tasks

    open_ = _archive(3)
    page = f"/incidents/{open_.public_id}"
    before = db.session.scalar(db.select(PublishedArtifact.generation).filter_by(path=page))
    tasks.republish_for_the_clock.call_local()
    rows = db.session.scalars(
        db.select(PublishedArtifact.path).filter_by(generation=current_generation())
    )
    assert all(p in ("/", "/badge.svg") or p.startswith("/api/v2/") for p in rows)
    after = db.session.scalar(db.select(PublishedArtifact.generation).filter_by(path=page))
    assert after == before


def test_an_incident_whose_start_moves_to_another_month_leaves_the_old_month(client, ctx):
    from datetime import UTC, datetime

    from app.publishing.outbox import record_change
    from app.publishing.publish import publish_changes

    api = create_component(slug="api", name="API")
    staying = create_incident(title="Stays in November", state="resolved", components=[api])
    moving = create_incident(title="Moves to October", state="resolved", components=[api])
    staying.started_at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    moving.started_at = datetime(2026, 11, 10, 12, tzinfo=UTC)
    db.session.commit()
    publish_site()
    for base in ("/history", "/components/api/history"):
        assert "Moves to October" in client.get(f"{base}/2026/11").get_data(as_text=True)
    moving.started_at = datetime(2026, 10, 5, 12, tzinfo=UTC)  # e.g. a corrected start
    record_change(incident=moving.public_id)
    db.session.commit()
    publish_changes()
    for base in ("/history", "/components/api/history"):
        november = client.get(f"{base}/2026/11").get_data(as_text=True)
        assert "Stays in November" in november and "Moves to October" not in november
        assert "Moves to October" in client.get(f"{base}/2026/10").get_data(as_text=True)
    assert not pending()


def test_a_new_incident_declared_during_a_whole_site_re_publish_publishes(client, ctx):
    """A settings change's sweep renders every incident page; an incident declared meanwhile
    is rendered by its own change too, in the same batch: one new path, rendered twice, must
    be stored once (it once failed the publish with UNIQUE published_artifacts.path)."""
    from app.publishing.publish import publish_changes
    from tests.factories import record_change as committed_change

    create_incident(title="Old", is_public=True)
    publish_site()
    committed_change(everything=True)
    assert publish_changes() is not None  # the hot artifacts; the sweep waits
    new = create_incident(title="Declared during the sweep", is_public=True)
    committed_change(incident=new.public_id)
    while pending():
        publish_changes()
    page = client.get(f"/incidents/{new.public_id}")
    assert page.status_code == 200 and "Declared during the sweep" in page.get_data(as_text=True)
    paths = db.session.scalars(db.select(PublishedArtifact.path)).all()
    assert len(paths) == len(set(paths))
