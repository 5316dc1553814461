"""Fixtures: an app per test on a schema built once by the real migrations."""

import os
import re
import secrets
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter

IN_CI = os.environ.get("CI", "").lower() == "true"
# .ci/run's second lane: PostgreSQL and Redis. Tests marked lane2 run there only.
IN_LANE2 = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(
    os.environ.get("REDIS_URL")
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lane2: runs in .ci/run's PostgreSQL + Redis lane only (skipped elsewhere)"
    )


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="lane 2 only: needs DATABASE_URL=postgresql… and REDIS_URL")
    for item in items:
        if item.get_closest_marker("lane2") and not IN_LANE2:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped test is a failure: CI provides every server the tests need."""
    outcome = yield
    report = outcome.get_result()
    lane_skip = item.get_closest_marker("lane2") and not IN_LANE2
    if IN_CI and report.skipped and not hasattr(report, "wasxfail") and not lane_skip:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI=true), which must not happen: {report.longrepr}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'crier-test.db'}"
    )


def make_app(database_url, instance_path, **overrides):
    config = {
        "CONFIG_CLASS": TestConfig,
        "DATABASE_URL": database_url,
        "RATELIMIT_KEY_PREFIX": secrets.token_hex(4),
        "INSTANCE_PATH": str(instance_path),
        **overrides,
    }
    return create_app(config)


def reset_schema(app):
    """Drop everything and build the schema from empty with the migrations."""
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            if inspect(conn).has_table("alembic_version"):
                conn.execute(text("DROP TABLE alembic_version"))
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    reset_schema(make_app(database_url, tmp_path_factory.mktemp("instance")))


@pytest.fixture
def app_factory(_schema, database_url, tmp_path):
    """Make apps on the test database; their connections are closed after the test."""
    made = []

    def factory(**overrides):
        app = make_app(database_url, tmp_path / f"instance{len(made)}", **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    # Flask-Limiter keeps the key prefix of the first app it meets, so a per-app prefix does
    # not separate tests on a shared Redis: start every test with no counters instead.
    limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def csrf_token(client, url):
    """The CSRF token of the form at ``url``, as a browser would have it."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


def login(client, email, password):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def server_url(name):
    """A test server's URL from the environment, or skip saying how to provide it."""
    url = os.environ.get(name)
    if not url:
        pytest.skip(f"needs a server: set {name} (.ci/run starts one)")
    return url


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on 127.0.0.1, for the browser and other real clients."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's Chromium (never a downloaded browser)."""
    executable = os.environ.get("CRIER_TEST_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.skip(f"needs Chromium at {executable}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


# --- Fan-out: real mail servers --------------------------------------------------------------


@pytest.fixture
def sendgrid_server():
    """A local SendGrid-compatible API that records requests and answers as told."""
    from tests.servers import SendGridServer

    server = SendGridServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives."""
    from aiosmtpd.controller import Controller

    from tests.servers import SMTPRecorder, free_port

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.host, recorder.port = controller.hostname, controller.port
    yield recorder
    controller.stop()


@pytest.fixture
def sendgrid_app(app, app_factory, sendgrid_server):
    """An app whose email goes to the local SendGrid server; its context is pushed."""
    mail_app = app_factory(
        EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.test-key",
        SENDGRID_API_HOST=sendgrid_server.url,
    )
    with mail_app.app_context():
        yield mail_app


@pytest.fixture
def smtp_app(app, app_factory, smtp_server):
    """An app whose email goes to the local SMTP server; its context is pushed."""
    mail_app = app_factory(
        EMAIL_BACKEND="smtp", SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port
    )
    with mail_app.app_context():
        yield mail_app


@pytest.fixture
def outbox(app):
    """What the memory backend of ``app`` sent (rendered messages)."""
    from app.email import get_backend

    with app.app_context():
        return get_backend().outbox


# --- The real stack: the web server and a Huey worker as processes (tests/livestack.py) -------


@pytest.fixture
def live_stack(app, database_url, tmp_path):
    """Make a ``Stack`` (``flask web`` + ``flask worker``) on the suite's database and the lane's
    queue: SQLite in instance/ (lane 1) or ``REDIS_URL`` (lane 2, flushed first). Stopped
    before ``app`` empties the tables."""
    from tests.livestack import Stack

    stacks = []
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        from huey.storage import RedisStorage

        from app.extensions import QUEUE_NAMES

        for name in QUEUE_NAMES.values():
            RedisStorage(name=name, url=redis_url).flush_all()

    def make(**env):
        env.setdefault("redis_url", redis_url)
        stack = Stack(tmp_path / f"stack{len(stacks)}", database_url=database_url, **env)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop()
