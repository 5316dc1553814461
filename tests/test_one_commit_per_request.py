"""One transaction per request: every console and API write commits exactly once when it
succeeds, and never when it is refused (and then changes nothing). The routes and their
requests are in tests/one_commit_routes.py; a write route missing there fails here."""

from contextlib import contextmanager

import pytest
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.extensions import db, huey
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tests.one_commit_routes import ROUTES, World

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def queue(app, app_factory):
    """The queue of an app that does not run tasks inline: a publish or a dispatch waits
    there, so the only commits are the request's own. Its context is pushed (``app``
    empties the tables after the test)."""
    queue_app = app_factory(HUEY_IMMEDIATE=False, REDIS_URL=None)
    with queue_app.app_context():
        queues = Queues()
        queues.flush()
        yield queues
        queues.flush()


class Queues:
    """Both lanes' queues (fan-out, publish) read as one."""

    def flush(self):
        for queue in huey.queues.values():
            queue.flush()

    def pending_count(self):
        return sum(queue.pending_count() for queue in huey.queues.values())


def cheap_hash(password, method):
    return generate_password_hash(password, method="pbkdf2:sha256:1")


@pytest.fixture
def world(queue, monkeypatch):
    """The data, an admin signed in to the console, and an admin key for the API."""
    # Five scrypt hashes (people, keys' users, the sign-in) cost seconds a test, for nothing
    # this test checks.
    monkeypatch.setattr("app.models.users.generate_password_hash", cheap_hash)
    world = World()
    world.client = current_app.test_client()
    assert login(world.client, world.admin.email, PASSWORD).status_code == 302
    world.csrf = csrf_token(world.client, "/admin/components")
    world.headers = {"Authorization": f"OAuth {world.secret}"}
    queue.flush()  # what building the world enqueued
    return world


@contextmanager
def counted_commits():
    """A list that gets one entry per session commit inside the block."""
    commits = []

    def count(session):
        commits.append(session)

    event.listen(Session, "after_commit", count)
    try:
        yield commits
    finally:
        event.remove(Session, "after_commit", count)


def send(world, route, *, refused=False):
    """The route's valid (or refused) request; the answer and how many commits it made."""
    url = (route.refused_url if refused and route.refused_url else route.url)(world)
    body = (route.refused if refused else route.valid)(world)
    with counted_commits() as commits:
        if route.is_api:
            headers = world.headers
            response = world.client.open(url, method=route.method, json=body, headers=headers)
        else:
            data = {**(body or {}), "csrf_token": world.csrf}
            response = world.client.open(url, method=route.method, data=data)
    return response, len(commits)


def database():
    """Every row of every table. An API key's last use is left out: authentication stamps
    it on its own connection, outside the request's transaction."""
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "last_used_at"]
        rows[table.name] = sorted(map(repr, db.session.execute(select(*columns))))
    return rows


def write_rules(app):
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if rule.methods & WRITES and rule.rule.startswith(("/admin/", "/api/v1/"))
    }


def test_the_table_names_every_write_route_and_only_those(app):
    routes = write_rules(app)
    table = {route.endpoint: route for route in ROUTES}
    assert sorted(set(routes) - set(table)) == [], "write routes the table does not cover"
    assert sorted(set(table) - set(routes)) == [], "the table names routes that are gone"
    assert len(table) == len(ROUTES), "a route is in the table twice"
    for endpoint, route in table.items():
        assert route.method in routes[endpoint].methods, endpoint


@pytest.mark.parametrize("route", ROUTES, ids=[route.endpoint for route in ROUTES])
def test_a_write_commits_once_and_a_refused_one_never(world, queue, route):
    before = database()
    response, commits = send(world, route, refused=True)
    assert response.status_code == route.refused_status, response.get_data(as_text=True)
    assert commits == 0
    assert database() == before and queue.pending_count() == 0

    response, commits = send(world, route)
    assert 200 <= response.status_code < 400, response.get_data(as_text=True)
    assert commits == 1
    assert database() != before
