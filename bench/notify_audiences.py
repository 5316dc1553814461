"""Notifications that follow audiences (not a test): what deciding who may hear of an incident
costs a dispatch, at 1, 10 and 100 audiences.

Each audience names one hidden component and lists 50 members, each subscribed from their
viewer page; 10,000 public subscribers follow everything. For an incident on the public floor
and one on a single audience's component, it times ``sight.seen_by`` (the rule, asked for the
floor and per audience) and the count of the recipients the dispatch then selects.

    .venv/bin/python bench/notify_audiences.py [--repeat 5]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402

PUBLIC_SUBSCRIBERS, MEMBERS = 10_000, 50


def _world(count: int):
    import secrets

    from app.models import (
        AdmissionKind,
        AudienceAdmission,
        Component,
        Incident,
        IncidentComponent,
        PageAudience,
        Subscriber,
    )
    from app.sqltypes import utcnow

    now = utcnow()
    api = Component(slug="api", name="API")
    db.session.add(api)
    rows = [
        {"email": f"user{i:06d}@example.net", "token_hash": secrets.token_hex(16),
         "confirmed_at": now, "created_at": now}
        for i in range(PUBLIC_SUBSCRIBERS)
    ]  # fmt: skip
    first = None
    for k in range(count):
        vault = Component(slug=f"vault-{k}", name=f"Vault {k}", is_public=False)
        members = [f"m{j}@a{k}.example" for j in range(MEMBERS)]
        admissions = [AudienceAdmission(kind=AdmissionKind.email, value=m) for m in members]
        db.session.add(PageAudience(name=f"A{k}", components=[vault], admissions=admissions))
        rows += [
            {"email": m, "token_hash": secrets.token_hex(16), "confirmed_at": now,
             "created_at": now, "viewer_at": now}
            for m in members
        ]  # fmt: skip
        first = first or vault
    db.session.execute(db.insert(Subscriber), rows)
    incidents = {}
    for name, component in (("floor", api), ("one audience", first)):
        incident = Incident(title=name, state="investigating", started_at=now)
        db.session.add(IncidentComponent(incident=incident, component=component,
                                         status="partial_outage"))  # fmt: skip
        incidents[name] = incident
    db.session.commit()
    return incidents


def measure(count: int, repeat: int) -> dict:
    from app.fanout.dispatch import external_recipients
    from app.fanout.sight import seen_by

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
            incidents = _world(count)
            figures = {}
            for name, incident in incidents.items():
                rule, select = [], []
                for _ in range(repeat):
                    db.session.expire_all()
                    start = time.perf_counter()
                    seen_by(incident)
                    rule.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    query = external_recipients(incident).order_by(None)
                    counted = db.session.scalar(
                        db.select(db.func.count()).select_from(query.subquery())
                    )
                    select.append(time.perf_counter() - start)
                figures[name] = (statistics.median(rule), statistics.median(select), counted)
            db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{PUBLIC_SUBSCRIBERS} public subscribers; {MEMBERS} viewer subscribers per audience")
    print(f"{'audiences':>9} {'incident':>13} {'rule ms':>8} {'select+count ms':>16} {'reach':>7}")
    for count in (1, 10, 100):
        for name, (rule, select, counted) in measure(count, args.repeat).items():
            print(f"{count:>9} {name:>13} {rule * 1000:>8.1f} {select * 1000:>16.1f} {counted:>7}")


if __name__ == "__main__":
    main()
