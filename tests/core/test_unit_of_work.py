"""The unit of work: one commit at the edge, nothing after a rollback, verbs that never commit."""

import re
from pathlib import Path

import pytest
from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import ServiceError
from app.core.uow import Conflict, after_commit, run_unit_of_work, unit_of_work
from app.extensions import db
from app.models import User

APP = Path(__file__).resolve().parents[2] / "app"
# Work loops that own a lease, a claim or a generation commit their own steps; the unit of
# work commits everything else. A new module that commits is a verb that should not.
COMMITTERS = {
    "core/uow.py": "the unit of work itself",
    "core/worker.py": "the heartbeat, bookkeeping of the worker process",
    "fanout/lease.py": "a dispatch run's cursor and lease, after each batch",
    "fanout/channels.py": "a webhook delivery's result, before the next is tried",
    "publishing/publish.py": "one generation per publish batch",
    "reminders/tick.py": "the tick's claims (the unique row is the lock) and its sends",
    "reminders/monthly.py": "the monthly report's claims, leases and sends, one by one",
}

ping = Namespace().signal("ping")


def test_only_work_loops_commit():
    found = {}
    for path in APP.rglob("*.py"):
        text = path.read_text()
        if re.search(r"\.commit\(\)", text):
            found[str(path.relative_to(APP))] = True
    assert set(found) == set(COMMITTERS), sorted(set(found) ^ set(COMMITTERS))


def test_one_commit_for_nested_units_and_signals_only_after_it(ctx):
    commits, heard = [], []
    count = commits.append
    event.listen(Session, "after_commit", count)
    with ping.connected_to(lambda sender, **kw: heard.append(kw)):
        try:
            with unit_of_work():
                db.session.add(User(email="a@example.com", name="A", password_hash="!"))
                after_commit(ping, n=1)
                after_commit(ping, n=1)  # asked twice: sent once
                with unit_of_work():  # an inner unit joins the outer one
                    after_commit(ping, n=2)
                assert heard == [] and commits == []
        finally:
            event.remove(Session, "after_commit", count)
    assert len(commits) == 1
    assert heard == [{"n": 1}, {"n": 2}]


def test_a_refused_unit_rolls_back_and_sends_nothing_then_or_later(ctx):
    heard = []
    with ping.connected_to(lambda sender, **kw: heard.append(kw)):
        with pytest.raises(ServiceError), unit_of_work():
            db.session.add(User(email="b@example.com", name="B", password_hash="!"))
            after_commit(ping, n=1)
            raise ServiceError("no")
        with unit_of_work():
            db.session.add(User(email="c@example.com", name="C", password_hash="!"))
    assert heard == []
    assert db.session.scalars(db.select(User.email)).all() == ["c@example.com"]


def test_a_conflict_is_tried_again_then_reported(ctx):
    tries = []

    def work():
        tries.append(1)
        db.session.add(User(email="same@example.com", name="S", password_hash="!"))
        db.session.flush()
        return "done"

    assert run_unit_of_work(work) == "done"
    with pytest.raises(Conflict):
        run_unit_of_work(work, conflict_retries=1)
    assert len(tries) == 3  # once, then the same key twice
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_a_failed_commit_leaves_a_usable_session(ctx):
    def refuse(session):
        raise IntegrityError("INSERT", {}, Exception("the database said no at commit"))

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(IntegrityError), unit_of_work():
            db.session.add(User(email="d@example.com", name="D", password_hash="!"))
    finally:
        event.remove(Session, "before_commit", refuse)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
