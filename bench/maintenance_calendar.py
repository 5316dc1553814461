"""Benchmark (not a test): the page's maintenance calendar and the reminder tick, with 200
upcoming windows that ask for reminders and 2,000 past ones.

    .venv/bin/python bench/maintenance_calendar.py [--runs 5]

Prints the time to render /maintenance.ics (the part of a publish it adds) and its size, and
the time of a reminder tick with nothing due (the steady state, every minute) and with 10 due.
Uses a fresh SQLite file (or DATABASE_URL if set, which it empties) and the memory backend;
the queue is not run (the tick only enqueues its dispatches and publish).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import insert, text

from app import create_app
from app.extensions import db
from app.incidents.maintenance_notices import remind_maintenance
from app.messages.seed import seed_default_templates
from app.models import Component, Incident, IncidentComponent, Setting, User
from app.publishing.calendar import maintenance_calendar
from app.sqltypes import new_public_id, utcnow

UPCOMING, PAST = 200, 2000


def build(due: int):
    now = utcnow()
    db.session.add(Setting(page_name="Bench"))
    db.session.add(User(email="lead@example.com", name="Lead", role="lead", password_hash="!"))  # noqa: S106
    api = Component(slug="api", name="API")
    db.session.add(api)
    seed_default_templates()
    db.session.commit()
    rows = []
    for i in range(UPCOMING):
        # ``due`` windows have their 1 h reminder due now; the rest start over the next weeks.
        start = now + timedelta(minutes=30) if i < due else now + timedelta(hours=30 + i * 2)
        rows.append(_window(f"Upgrade {i}", start, "scheduled", now, remind=True))
    for i in range(PAST):
        start = now - timedelta(days=1 + i % 400, hours=i % 24)
        rows.append(_window(f"Past {i}", start, "completed", now, remind=False))
    db.session.execute(insert(Incident), rows)
    ids = db.session.scalars(db.select(Incident.id)).all()
    links = [dict(incident_id=i, component_id=api.id, status="under_maintenance") for i in ids]
    db.session.execute(insert(IncidentComponent), links)
    db.session.commit()
    return now


def _window(title, start, state, now, *, remind):
    return dict(
        public_id=new_public_id(), title=title, kind="maintenance", severity="SEV5",
        impact="none", state=state, is_public=True, started_at=start, scheduled_for=start,
        scheduled_until=start + timedelta(hours=2), auto_notify=False, remind_prior=remind,
        remind_minutes="1440,60", created_at=now - timedelta(days=30), updated_at=now,
        resolved_at=start + timedelta(hours=2) if state == "completed" else None,
    )  # fmt: skip


def timed(work, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--due", type=int, default=10)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="crier-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    app = create_app({"DATABASE_URL": url, "EMAIL_BACKEND": "memory", "HUEY_IMMEDIATE": False,
                      "SECRET_KEY": "bench", "INSTANCE_PATH": workdir})  # fmt: skip
    with app.app_context(), app.test_request_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        print(f"database: {db.engine.dialect.name}; {UPCOMING} upcoming windows, {PAST:,} past")
        now = build(args.due)
        render = lambda: maintenance_calendar(  # noqa: E731
            None, now=now, base_url="https://status.example.com", page_name="Bench"
        )
        median, worst, body = timed(render, args.runs)
        events = body.count(b"BEGIN:VEVENT")
        print(f"/maintenance.ics: {events} events, {len(body):,} bytes; render median "
              f"{median:.1f} ms, max {worst:.1f} ms over {args.runs} runs")  # fmt: skip
        started = time.perf_counter()
        sent = remind_maintenance(now=now)
        busy = (time.perf_counter() - started) * 1000
        print(f"reminder tick sending {len(sent)} reminders: {busy:.1f} ms")
        median, worst, sent = timed(lambda: remind_maintenance(now=now), args.runs)
        assert sent == []
        print(f"reminder tick with nothing due: median {median:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
