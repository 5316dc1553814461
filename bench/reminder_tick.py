"""Benchmark (not a test): one reminder tick with 1,000 open incidents and 100,000 past
reminders. Target: under 200 ms, and the due-incident query uses an index.

    .venv/bin/python bench/reminder_tick.py [--due 10] [--runs 5]

Uses a fresh SQLite file (or DATABASE_URL if set, which it empties) and the memory email
backend, so it measures Crier's own work, not a mail provider.
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
from app.models import Incident, Reminder, Setting, User
from app.reminders.tick import tick
from app.sqltypes import new_public_id, utcnow

OPEN, RESOLVED, PAST_REMINDERS = 1000, 5000, 100_000


def build(due_now: int):
    now = utcnow()
    db.session.add(Setting(page_name="Bench"))
    lead = User(email="lead@example.com", name="Lead", role="lead", password_hash="!")  # noqa: S106
    db.session.add(lead)
    db.session.commit()
    rows = []
    for i in range(OPEN):
        # A few are due now; the rest are spread over the next day.
        due = now - timedelta(minutes=1) if i < due_now else now + timedelta(minutes=10 + i)
        rows.append(
            dict(
                public_id=new_public_id(),
                title=f"Open {i}",
                kind="incident",
                severity="SEV2",
                impact="minor",
                state="investigating",
                is_public=True,
                started_at=now - timedelta(hours=1),
                next_update_due_at=due,
                lead_id=lead.id,
                auto_notify=False,
                created_at=now,
                updated_at=now,
            )
        )
    for i in range(RESOLVED):
        started = now - timedelta(days=1 + i % 300)
        rows.append(
            dict(
                public_id=new_public_id(),
                title=f"Past {i}",
                kind="incident",
                severity="SEV3",
                impact="minor",
                state="resolved",
                is_public=True,
                started_at=started,
                resolved_at=started + timedelta(hours=1),
                lead_id=lead.id,
                auto_notify=False,
                created_at=now,
                updated_at=now,
            )
        )
    db.session.execute(insert(Incident), rows)
    ids = db.session.scalars(db.select(Incident.id).where(Incident.state == "resolved")).all()
    reminders = [
        dict(incident_id=ids[i % len(ids)], due_at=now - timedelta(days=1, minutes=i),
             level=("due_soon", "lead", "commander")[i % 3], created_at=now, sent_at=now)
        for i in range(PAST_REMINDERS)
    ]  # fmt: skip
    db.session.execute(insert(Reminder), reminders)
    db.session.commit()
    return now


def query_plan(now):
    """How the database runs the tick's scan (same predicate as reminders.due_incidents)."""
    sql = (
        "SELECT id FROM incidents WHERE next_update_due_at <= :cutoff "
        "AND resolved_at IS NULL AND state NOT IN ('resolved', 'postmortem', 'completed', "
        "'cancelled') ORDER BY next_update_due_at"
    )
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    cutoff = (now + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    return [
        " ".join(map(str, r)) for r in db.session.execute(text(prefix + sql), {"cutoff": cutoff})
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=10, help="open incidents due right now")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="crier-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    app = create_app({"DATABASE_URL": url, "EMAIL_BACKEND": "memory", "HUEY_IMMEDIATE": True,
                      "SECRET_KEY": "bench", "INSTANCE_PATH": workdir})  # fmt: skip
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        print(f"database: {db.engine.dialect.name}; building {OPEN} open incidents, "
              f"{RESOLVED} resolved, {PAST_REMINDERS:,} past reminders…", flush=True)  # fmt: skip
        now = build(args.due)
        print("query plan of the due-incident scan:")
        for line in query_plan(now):
            print("   ", line)
        timings = []
        for run in range(args.runs):
            # Each run is a fresh window for the due incidents, so every run does real work.
            db.session.execute(db.delete(Reminder).where(Reminder.created_at >= now))
            db.session.commit()
            started = time.perf_counter()
            sent = tick(now=now + timedelta(seconds=run))
            timings.append((time.perf_counter() - started) * 1000)
            assert len(sent) == args.due, (len(sent), args.due)
        quiet = []
        for _ in range(args.runs):
            started = time.perf_counter()
            tick(now=now)  # everything already claimed: the steady-state tick
            quiet.append((time.perf_counter() - started) * 1000)
    print(f"tick sending {args.due} reminders: median {statistics.median(timings):.1f} ms, "
          f"max {max(timings):.1f} ms over {args.runs} runs")  # fmt: skip
    print(f"tick with nothing new to send: median {statistics.median(quiet):.1f} ms, "
          f"max {max(quiet):.1f} ms")  # fmt: skip
    print("target: < 200 ms")


if __name__ == "__main__":
    main()
