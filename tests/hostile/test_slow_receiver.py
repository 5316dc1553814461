"""The slow-receiver attack on the real stack (`flask web` + `flask worker`): twelve anonymous
webhook subscriptions and a subscriber, all pointed at a receiver that answers one byte a
second. The status page and the console keep answering, nothing is sent twice, and the other
subscribers get their deliveries on time."""

import threading
import time
import urllib.parse

from app.extensions import db
from app.messages.seed import seed_default_templates
from app.models import Channel, DeliveryStatus, Dispatch, HookDelivery, HookSubscriber
from app.sqltypes import utcnow
from tests.factories import PASSWORD, create_component, create_settings, create_user
from tests.hostile.trickle import TricklingServer
from tests.livestack import Console, fetch, wait_until
from tests.servers import HookServer

CHALLENGES = 12


def _subscribe_anonymously(base: str, url: str, answers: list) -> None:
    """What an attacker's script does: GET the form for its CSRF cookie and token, POST."""
    visitor = Console(base)
    _status, html = visitor.get("/subscribe/webhook")
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = urllib.parse.urlencode({"csrf_token": token, "kind": "webhook", "url": url})
    started = time.monotonic()
    with visitor.opener.open(base + "/subscribe/webhook", data=data.encode(), timeout=30) as r:
        answers.append((r.status, time.monotonic() - started, r.read().decode()))


def _reader(base: str, console: Console, stop: threading.Event, times: dict) -> None:
    """Read `/` and the console's dashboard in turn; keep the time of each read."""
    while not stop.is_set():
        for name, read in (("/", lambda: fetch(base + "/", timeout=10)),
                           ("/admin", lambda: console.get("/admin"))):  # fmt: skip
            started = time.monotonic()
            status = read()[0]
            took = time.monotonic() - started
            assert status == 200, f"{name} answered {status}"
            times.setdefault(name, []).append(took)
        time.sleep(0.05)


def test_a_trickling_receiver_freezes_nothing_and_is_sent_nothing_twice(ctx, live_stack):
    seed_default_templates()
    db.session.commit()
    # As the attack found it: private networks allowed page-wide (for an admin's chat server).
    create_settings(allow_private_outbound=True)
    create_user(email="admin@example.com", role="admin")
    create_component(slug="api", name="API")
    slow = TricklingServer(mode="headers", interval=1.0).start()
    fast = HookServer().start()
    try:
        now = utcnow()
        subs = [(slow.url + "/slow", "slow")] + [
            (fast.url + f"/fast{n}", f"fast{n}") for n in range(3)
        ]
        for n, (url, _name) in enumerate(subs):
            db.session.add(HookSubscriber(kind=Channel.webhook, url=url, token_hash=f"{n:032d}",
                                          secret="whsec_x", confirmed_at=now))  # fmt: skip
        db.session.commit()
        stack = live_stack(
            CRIER_HOOK_SUBSCRIBERS_ALLOW_PRIVATE="true",  # the receivers are on 127.0.0.1
            CRIER_HOOK_RETRIES="0",  # one try each: every request the receiver sees is counted
            CRIER_DISPATCH_LEASE_SECONDS="3",  # shorter than the receiver holds a request
        )
        stack.start_web(workers=2, threads=4)
        stack.start_worker(threads=2)
        console = Console(stack.url)
        console.login("admin@example.com", PASSWORD)

        answers: list = []
        visitors = [
            threading.Thread(
                target=_subscribe_anonymously, args=(stack.url, slow.url + f"/c{n}", answers)
            )
            for n in range(CHALLENGES)
        ]
        for visitor in visitors:
            visitor.start()
        status, _ = console.post(
            "/admin/incidents/new",
            {"title": "Slow receivers", "severity": "SEV2", "state": "investigating",
             "external_body": "We are looking into it.", "is_public": "y", "notify": "y"},
            follow=False,
        )  # fmt: skip
        assert status == 302
        for visitor in visitors:
            visitor.join(30)
        # The challenges and the delivery are on the wire now: read while they are.
        wait_until(lambda: slow.open >= 4, timeout=15, what="the receiver to be held")
        stop, times = threading.Event(), {}
        reader = threading.Thread(target=_reader, args=(stack.url, console, stop, times))
        reader.start()
        try:
            time.sleep(4)
            held = slow.open
        finally:
            stop.set()
            reader.join(30)
        assert held >= 1, "the receiver let go too early to prove anything"

        assert len(answers) == CHALLENGES
        for status, took, html in answers:
            assert status == 200 and "confirm your webhook shortly" in html
            # Well under the challenge's 5 s deadline, which it would take if it ran in it.
            assert took < 3.0, f"a subscription took {took:.1f} s: the challenge ran in it"
        assert max(times["/"]) < 1.0, times["/"]  # served from memory: never waits
        # The console renders per request and still never waits on the receiver (frozen, it
        # did not answer in 40 s; a read that waited would take the 5 s deadline).
        assert max(times["/admin"]) < 1.0, sorted(times["/admin"])

        def finished():
            db.session.expire_all()
            d = db.session.scalar(db.select(Dispatch).filter_by(channel=Channel.webhook))
            return d if d is not None and d.finished_at is not None else None

        dispatch = wait_until(finished, timeout=60, interval=0.2, what="the webhook dispatch")
        # Nothing sent twice: one delivery reached the slow receiver, no takeover counted.
        assert slow.count("delivery") == 1, [hit.path for hit in slow.hits]
        assert (dispatch.possible_duplicates, dispatch.accepted_count) == (0, 3)
        # The others had theirs within a second or two of the update, not behind the slow one.
        sent = db.session.scalars(
            db.select(HookDelivery.sent_at).filter_by(status=DeliveryStatus.sent)
        ).all()
        assert len(sent) == 3 and len(fast.hits) == 3
        late = [(at - dispatch.created_at).total_seconds() for at in sent]
        assert max(late) < 3.0, late
        # Every challenge went out once, and the endpoints that never echoed were not kept.
        wait_until(
            lambda: slow.count("subscription.verification") == CHALLENGES and slow.open == 0,
            timeout=60,
            what="every challenge to be cut off",
        )
        time.sleep(0.5)  # the last challenge's result is recorded just after it is cut off
        db.session.expire_all()
        assert db.session.scalar(db.select(db.func.count()).select_from(HookSubscriber)) == 4
    finally:
        slow.stop()
        fast.stop()
