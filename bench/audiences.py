"""Audience pages: the publish cost of one change at 1, 10 and 100 audiences, and the read
rate of an audience's artifacts beside the public ones (/, an incident page, the Atom feed,
summary.json), with the targets of issue #23 and the machine's load.

Each audience has its own hidden component, an open incident on it and an email domain; the
page has 20 public components and 200 past incidents. A change is one update posted either on
a public incident (seen by all) or on the first audience's incident (seen by one); the queue is
run by hand so only the publish is timed ("cpu s": this process's CPU time, the steadier
figure on a shared machine). Reads go through the WSGI app in-process (Flask's test client),
the same number for each path; the incident page is the audience's own incident for the
viewer and a public incident for the anonymous reader.

    .venv/bin/python bench/audiences.py [--audiences 1,10,100] [--repeat 3] [--reads 2000]
"""

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db, huey  # noqa: E402
from app.models import (  # noqa: E402
    AdmissionKind,
    AudienceAdmission,
    Component,
    Incident,
    IncidentComponent,
    PageAudience,
    Update,
    ViewerSession,
)
from bench.publish_scale import build  # noqa: E402


def _audiences(count: int) -> Incident:
    first = None
    for n in range(count):
        component = Component(slug=f"private-{n}", name=f"Private {n}", is_public=False)
        incident = Incident(title=f"Private incident {n}", state="investigating")
        db.session.add_all([component, incident])
        link = IncidentComponent(incident=incident, component=component, status="major_outage")
        db.session.add(link)
        db.session.add(Update(incident=incident, state="investigating", external_body="On it."))
        admission = AudienceAdmission(kind=AdmissionKind.domain, value=f"a{n}.example")
        audience = PageAudience(name=f"Audience {n}", components=[component])
        audience.admissions.append(admission)
        db.session.add(audience)
        first = first or incident
    db.session.commit()
    return first


def _publish_after(incident, lead, n) -> tuple[float, float]:
    """Post one update on ``incident``, then time the publish it enqueued."""
    from app.core.uow import unit_of_work
    from app.incidents.drafts import UpdateDraft
    from app.incidents.updates import post_update

    draft = UpdateDraft(
        external_body=f"Still on it ({n}).", notify=False, notify_stakeholders=False
    )
    with unit_of_work():
        post_update(incident, draft, state="identified", actor=lead)
    started, cpu = time.perf_counter(), time.process_time()
    while huey.lane.pending_count():
        huey.lane.execute(huey.lane.dequeue())
    return time.perf_counter() - started, time.process_time() - cpu


def _reads(client, count: int, path: str = "/") -> float:
    started = time.perf_counter()
    for _ in range(count):
        assert client.get(path).status_code == 200
    return count / (time.perf_counter() - started)


PATHS = ("/", "incident", "/history.atom", "/api/v2/summary.json")


def measure(count: int, repeat: int, reads: int) -> dict:
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
                "EMAIL_BACKEND": "memory",
                "PUBLISH_CHECK_SECONDS": 1.0,
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            public, lead = build(200)
            private = _audiences(count)
            publish_site()
            huey.lane.flush()
            figures = {"all": [], "one": []}
            for n in range(repeat):
                for what, incident in (("all", public), ("one", private)):
                    figures[what].append(_publish_after(incident, lead, n))
            session = ViewerSession(email="bo@a0.example")
            db.session.add(session)
            db.session.commit()
            anonymous, viewer = app.test_client(), app.test_client()
            with app.test_request_context():
                viewer.set_cookie(COOKIE, cookie_for(session))
            assert b"Private incident 0" in viewer.get("/").data
            assert b"Private incident 0" not in anonymous.get("/").data
            mine, theirs = f"/incidents/{private.public_id}", f"/incidents/{public.public_id}"
            assert viewer.get(mine).headers["Cache-Control"].startswith("private")
            rates = {}
            for path in PATHS:
                rates[("public", path)] = _reads(
                    anonymous, reads, theirs if path == "incident" else path
                )
                rates[("audience", path)] = _reads(
                    viewer, reads, mine if path == "incident" else path
                )
            db.engine.dispose()
    return {
        "all": statistics.median(t for t, _ in figures["all"]),
        "one": statistics.median(t for t, _ in figures["one"]),
        "all_cpu": statistics.median(c for _, c in figures["all"]),
        "one_cpu": statistics.median(c for _, c in figures["one"]),
    } | rates


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audiences", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print(f"load average before: {_load()}")
    print(
        f"{'audiences':>9} | {'change seen by':<14} | {'publish s':>9} | {'cpu s':>6} | "
        f"{'path':<20} | {'public reads/s':>14} | {'audience reads/s':>16} | {'ratio':>5}"
    )
    found = {}
    for count in [int(c) for c in args.audiences.split(",")]:
        f = found[count] = measure(count, args.repeat, args.reads)
        for n, path in enumerate(PATHS):
            public, audience = f[("public", path)], f[("audience", path)]
            what = (
                f"{count:>9} | {'all':<14} | {f['all']:>9.3f} | {f['all_cpu']:>6.3f}"
                if n == 0
                else (
                    f"{count:>9} | {'one':<14} | {f['one']:>9.3f} | {f['one_cpu']:>6.3f}"
                    if n == 1
                    else f"{'':>9} | {'':<14} | {'':>9} | {'':>6}"
                )
            )
            print(f"{what} | {path:<20} | {public:>14.0f} | {audience:>16.0f} | "
                  f"{audience / public:>5.2f}")  # fmt: skip
    print(f"load average after: {_load()}")
    if 1 in found and 100 in found:
        one, first = found[100], found[1]
        print(
            "targets: seen by one of 100 <= 1.3 x the 1-audience publish: "
            f"{one['one'] / first['one']:.2f} x (cpu {one['one_cpu'] / first['one_cpu']:.2f} x); "
            f"seen by all 100 <= 3 s: {one['all']:.2f} s (cpu {one['all_cpu']:.2f} s); "
            "audience read >= 0.5 x public: "
            f"{min(one[('audience', p)] / one[('public', p)] for p in PATHS):.2f} (lowest)"
        )


if __name__ == "__main__":
    main()
