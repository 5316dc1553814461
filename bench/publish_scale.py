"""Publishing cost against the size of the archive (a benchmark, not a test).

Builds archives of past incidents (4 updates each, two component status changes each) over
50 components, then measures, with the queue run by hand so only the publish work is timed:

  update     one update posted on an open incident, then the publish it enqueued
  component  one component status change, then its publish
  full       ``publish_site()``: every artifact, as ``flask publish`` does
  settings   a settings change: everything, as the background re-publish does it (all batches)

and the number of artifacts each rendered; update and component are medians of ``--repeat``.
Seconds are the wall clock; "cpu s" is what this process spent, the steadier figure on a
machine shared with other work. Incidents arrive at a steady rate (one every 12 hours), so
a larger archive is a longer past, as on a real status page, not a busier month.

    .venv/bin/python bench/publish_scale.py [--sizes 100,1000,10000] [--repeat 5]
"""

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db, huey  # noqa: E402
from app.models import (  # noqa: E402
    Component,
    ComponentStatusChange,
    Incident,
    IncidentComponent,
    Role,
    Update,
    User,
)
from app.publishing import site as site_module  # noqa: E402
from app.sqltypes import utcnow  # noqa: E402

COMPONENTS = 50
RENDERED = [0]


def count_artifacts():
    """Count what every render makes, whichever publish path runs (old or new code)."""
    original = site_module.Site.add

    def add(self, *args, **kwargs):
        before = len(self.artifacts)
        original(self, *args, **kwargs)
        RENDERED[0] += len(self.artifacts) - before

    site_module.Site.add = add


def build(count: int) -> tuple[Incident, User]:
    """``count`` resolved incidents, one every 12 hours backwards, and one open incident."""
    ids = build_archive(count)
    now = utcnow()
    lead = User(email="lead@example.com", name="Lena Lead", role=Role.admin)
    lead.set_password("correct horse battery staple")
    db.session.add(lead)
    open_ = Incident(title="Open now", state="investigating", impact="minor", started_at=now)
    db.session.add(open_)
    db.session.flush()
    db.session.add(IncidentComponent(incident=open_, component_id=ids[0], status="partial_outage"))
    db.session.add(Update(incident=open_, state="investigating", external_body="Looking."))
    db.session.commit()
    return open_, lead


def build_archive(count: int) -> list[int]:
    """``COMPONENTS`` components and ``count`` resolved incidents over them, one every 12 hours
    backwards (4 updates, two status changes each); the new components' ids."""
    db.session.execute(
        insert(Component),
        [{"slug": f"c{n}", "name": f"Component {n}", "position": n} for n in range(COMPONENTS)],
    )
    slugs = [f"c{n}" for n in range(COMPONENTS)]
    query = select(Component.id).where(Component.slug.in_(slugs)).order_by(Component.id)
    ids = list(db.session.scalars(query))
    now = utcnow()
    for start in range(0, count, 1000):
        chunk = range(start, min(count, start + 1000))
        begun = {n: now - timedelta(hours=12 * (n + 1)) for n in chunk}
        db.session.execute(
            insert(Incident),
            [
                {
                    "title": f"Past incident {n}",
                    "state": "resolved",
                    "impact": "minor",
                    "started_at": begun[n],
                    "resolved_at": begun[n] + timedelta(hours=1),
                }
                for n in chunk
            ],
        )
        made = db.session.execute(
            select(Incident.id, Incident.started_at).order_by(Incident.id.desc()).limit(len(chunk))
        ).all()
        links, updates, changes = [], [], []
        for row in made:
            first, second = ids[row.id % COMPONENTS], ids[(row.id * 7 + 3) % COMPONENTS]
            for cid in {first, second}:
                links.append({"incident_id": row.id, "component_id": cid, "status": "operational"})
            for k, state in enumerate(["investigating", "identified", "monitoring", "resolved"]):
                updates.append(
                    {
                        "incident_id": row.id,
                        "state": state,
                        "external_body": f"Update {k}: we are on it.",
                        "posted_at": row.started_at + timedelta(minutes=15 * k),
                    }
                )
            ended = row.started_at + timedelta(hours=1)
            changes.append(
                {"component_id": first, "status": "partial_outage", "at": row.started_at}
            )
            changes.append({"component_id": first, "status": "operational", "at": ended})
        db.session.execute(insert(IncidentComponent), links)
        db.session.execute(insert(Update), updates)
        db.session.execute(insert(ComponentStatusChange), changes)
        db.session.commit()
    return ids


def run_queue() -> tuple[float, int, float]:
    """Run every queued task (publishing follows its change); seconds, artifacts, and the
    CPU seconds this process spent (on a shared machine the wall clock waits for others)."""
    queue = huey.lane  # publishing runs on the publish lane
    RENDERED[0] = 0
    started, cpu = time.perf_counter(), time.process_time()
    while queue.pending_count():
        queue.execute(queue.dequeue())
    return time.perf_counter() - started, RENDERED[0], time.process_time() - cpu


def measure(size: int, repeat: int) -> dict:
    from app.core.settings import update_settings
    from app.core.uow import unit_of_work
    from app.incidents.components import change_component_status
    from app.incidents.drafts import UpdateDraft
    from app.incidents.updates import post_update
    from app.publishing.publish import publish_site

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "CONFIG_CLASS": TestConfig,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "INSTANCE_PATH": tmp,
                "HUEY_IMMEDIATE": False,
                "REDIS_URL": None,
                "EMAIL_BACKEND": "memory",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            incident, lead = build(size)
            huey.lane.flush()
            RENDERED[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            publish_site()
            full = time.perf_counter() - started, RENDERED[0], time.process_time() - cpu
            results = {"update": [], "component": []}
            component = db.session.scalar(select(Component).filter_by(slug="c1"))
            for n in range(repeat):
                with unit_of_work():  # as the console's request: one commit, then enqueue
                    post_update(
                        incident,
                        UpdateDraft(
                            external_body=f"Still on it ({n}).",
                            notify=False,
                            notify_stakeholders=False,
                        ),
                        state="identified",
                        actor=lead,
                    )
                results["update"].append(run_queue())
                status = "major_outage" if n % 2 == 0 else "operational"
                with unit_of_work():
                    change_component_status(component, status=status, actor=lead)
                results["component"].append(run_queue())
            with unit_of_work():
                update_settings(actor=lead, page_name=f"Bench {size}")
            settings = run_queue()
            db.engine.dispose()
    return {
        what: (
            statistics.median(t for t, _, _ in results[what]),
            results[what][-1][1],
            statistics.median(c for _, _, c in results[what]),
        )
        for what in ("update", "component")
    } | {"full": full, "settings": settings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the queue's and the migrations' chatter
    count_artifacts()
    print(f"{'past incidents':>14} | {'what':<10} | {'seconds':>8} | {'cpu s':>8} | artifacts")
    for size in [int(s) for s in args.sizes.split(",")]:
        figures = measure(size, args.repeat)
        for what in ("update", "component", "full", "settings"):
            seconds, artifacts, cpu = figures[what]
            row = f"{size:>14} | {what:<10} | {seconds:>8.3f} | {cpu:>8.3f} | {artifacts}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
