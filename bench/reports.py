"""Benchmark (not a test): the incident-measures report for a year, with 100, 1,000 and
10,000 incidents over five years. Target: at most 300 ms for a year at 10,000 incidents.

    .venv/bin/python bench/reports.py [--runs 5] [--sizes 100,1000,10000]

Each size gets a fresh SQLite file (or DATABASE_URL if set, which it empties). Every
incident has its moments, two to four updates and one or two of 20 components. Prints the
median and fastest time of ``measures_report`` for the last full year (which also reads the
year before, for the comparison, and the communication figures: updates on time, longest
silence), of the components' availability for that year (every incident also leaves an
outage and its end in the status history), and of the whole /admin/reports page for that
year: its first view (nothing remembered, the charts drawn) and the views after it (the
closed year's read and the charts remembered). The year report is timed cold (its read
forgotten before each run) and remembered.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import insert, text

from app import create_app
from app.extensions import db
from app.models import (
    Component,
    ComponentStatusChange,
    Incident,
    IncidentComponent,
    Setting,
    Update,
    User,
)
from app.reminders import closed
from app.reminders.availability import availability
from app.reminders.periods import measures_report, period_bounds
from app.sqltypes import new_public_id

END = datetime(2026, 12, 1, tzinfo=UTC)
YEARS = 5
PASSWORD = "bench password for the console"  # noqa: S105 - a throwaway local database


def build(size: int, rng: random.Random) -> None:
    db.session.add(Setting(page_name="Bench"))
    viewer = User(email="viewer@example.com", name="Viewer", role="viewer")
    viewer.set_password(PASSWORD)
    db.session.add(viewer)
    components = [Component(slug=f"c{i}", name=f"Component {i:02d}") for i in range(20)]
    db.session.add_all(components)
    db.session.commit()
    span = timedelta(days=365 * YEARS).total_seconds()
    start = END - timedelta(days=365 * YEARS)
    rows = []
    for i in range(size):
        impact = start + timedelta(seconds=rng.uniform(0, span))
        detected = impact + timedelta(minutes=rng.expovariate(1 / 10))
        engaged = detected + timedelta(minutes=rng.expovariate(1 / 5))
        mitigated = engaged + timedelta(minutes=rng.expovariate(1 / 40))
        resolved = mitigated + timedelta(minutes=rng.expovariate(1 / 30))
        rows.append(
            dict(public_id=new_public_id(), title=f"Incident {i}", kind="incident",
                 severity=f"SEV{rng.randint(1, 5)}", impact="minor", state="resolved",
                 is_public=True, started_at=detected, impact_started_at=impact,
                 detected_at=detected, engaged_at=engaged, mitigated_at=mitigated,
                 monitoring_at=mitigated, resolved_at=resolved, auto_notify=False,
                 created_at=detected, updated_at=resolved)
        )  # fmt: skip
    db.session.execute(insert(Incident), rows)
    incidents = db.session.execute(
        db.select(Incident.id, Incident.started_at, Incident.resolved_at)
    ).all()
    links, updates, changes = [], [], []
    for incident_id, declared, resolved in incidents:
        for component in rng.sample(components, rng.randint(1, 2)):
            links.append(dict(incident_id=incident_id, component_id=component.id,
                              status="partial_outage"))  # fmt: skip
            # The status history: an outage from the declaration to the resolution.
            status = rng.choice(["partial_outage", "major_outage", "degraded_performance"])
            changes.append(dict(component_id=component.id, status=status, at=declared))
            changes.append(dict(component_id=component.id, status="operational", at=resolved))
        count = rng.randint(2, 4)
        for n in range(count):
            at = declared + (resolved - declared) * n / (count - 1)
            updates.append(dict(public_id=new_public_id(), incident_id=incident_id,
                                state="resolved" if n == count - 1 else "investigating",
                                external_body="" if n == 0 else "An update.", internal_body="",
                                posted_at=at, notify=False, notify_stakeholders=False))  # fmt: skip
    db.session.execute(insert(IncidentComponent), links)
    db.session.execute(insert(Update), updates)
    db.session.execute(insert(ComponentStatusChange), changes)
    db.session.commit()


def timed(fn, runs: int) -> str:
    """The median and the fastest of ``runs`` calls, and the median CPU time this process
    spent on one (SQLite runs in it): on a shared machine the fastest and the CPU time are the
    closest to the work's own cost, the median what a user would see then."""
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return (
        f"median {statistics.median(timings):.1f} ms, fastest {min(timings):.1f} ms "
        f"(CPU {statistics.median(cpu):.1f} ms)"
    )


def measure(size: int, runs: int) -> tuple[str, str, str]:
    workdir = tempfile.mkdtemp(prefix="crier-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    app = create_app({"DATABASE_URL": url, "EMAIL_BACKEND": "memory", "HUEY_IMMEDIATE": True,
                      "SECRET_KEY": "bench", "INSTANCE_PATH": workdir,
                      "WTF_CSRF_ENABLED": False})  # fmt: skip
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        build(size, random.Random(size))
        year = period_bounds("year", date(END.year - 1, 6, 1))

        def cold():
            closed.forget()  # as if the year were read for the first time
            measures_report(*year)

        report_ms = timed(cold, runs)
        report_ms += f"; remembered (closed year): {timed(lambda: measures_report(*year), runs)}"
        availability_ms = timed(lambda: availability(*year), runs)
    client = app.test_client()
    client.post("/login", data={"email": "viewer@example.com", "password": PASSWORD})
    path = f"/admin/reports?period=year&on={END.year - 1}-06-01"
    with app.app_context():
        closed.forget()
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    first_ms = (time.perf_counter() - started) * 1000  # nothing remembered, charts drawn
    page_ms = timed(lambda: client.get(path), runs)
    return report_ms, availability_ms, f"first view {first_ms:.1f} ms, then {page_ms}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        report_ms, availability_ms, page_ms = measure(size, args.runs)
        print(f"{size:>6,} incidents over {YEARS} years, {args.runs} runs: year report (with the "
              f"year before) {report_ms}; availability {availability_ms}; "
              f"/admin/reports page for that year {page_ms}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
