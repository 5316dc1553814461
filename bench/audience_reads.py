"""The read path of `/` as a visitor, a signed-in viewer and a visitor an IP range admits:
reads per CPU second through the WSGI app in-process (Flask's test client), with no ranges and
with --ranges of them, so what telling viewers apart costs the public read shows.

CPU time, best of --rounds rounds: the figures hold on a machine other work shares.

    .venv/bin/python bench/audience_reads.py [--ranges 100] [--rounds 15] [--reads 1000]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    AdmissionKind,
    AudienceAdmission,
    Component,
    PageAudience,
    ViewerSession,
)


def _rate(client, reads: int) -> float:
    started = time.process_time()
    for _ in range(reads):
        assert client.get("/").status_code == 200
    return reads / (time.process_time() - started)


def measure(ranges: int, rounds: int, reads: int) -> dict[str, float]:
    from flask_migrate import upgrade

    from app.audiences.sessions import COOKIE, cookie_for
    from app.publishing.publish import publish_site

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "CONFIG_CLASS": TestConfig,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "INSTANCE_PATH": tmp,
                "HUEY_IMMEDIATE": False,
                "REDIS_URL": None,
                "PUBLISH_CHECK_SECONDS": 1.0,
            }
        )
        with app.app_context():
            upgrade()
            hidden = Component(slug="hidden", name="Hidden", is_public=False)
            admissions = [AudienceAdmission(kind=AdmissionKind.domain, value="a0.example")]
            admissions += [
                AudienceAdmission(kind=AdmissionKind.network, value=f"10.{i}.0.0/16")
                for i in range(ranges)
            ]
            db.session.add(PageAudience(name="A", components=[hidden], admissions=admissions))
            session = ViewerSession(email="bo@a0.example")
            db.session.add(session)
            db.session.commit()
            publish_site()
            clients = {"public": app.test_client(), "signed in": app.test_client()}
            with app.test_request_context():
                clients["signed in"].set_cookie(COOKIE, cookie_for(session))
            if ranges:
                clients["by address"] = app.test_client()
                clients["by address"].environ_base["REMOTE_ADDR"] = f"10.{ranges - 1}.1.1"
            for name, client in clients.items():
                assert (b"Hidden" in client.get("/").data) == (name != "public"), name
            best = dict.fromkeys(clients, 0.0)
            for _ in range(rounds):
                for name, client in clients.items():
                    best[name] = max(best[name], _rate(client, reads))
            db.engine.dispose()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranges", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reads", type=int, default=1000)
    args = parser.parse_args()
    print(f"{'ranges':>6} | {'public reads/s':>14} | {'signed in':>9} | {'by address':>10}")
    for ranges in sorted({0, args.ranges}):
        best = measure(ranges, args.rounds, args.reads)
        by_address = f"{best['by address']:>10.0f}" if "by address" in best else f"{'-':>10}"
        print(f"{ranges:>6} | {best['public']:>14.0f} | {best['signed in']:>9.0f} | {by_address}")


if __name__ == "__main__":
    main()
