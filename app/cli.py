"""Flask commands: web, worker, create-user, seed-demo, check-config, …"""

import logging
import os
import shutil
import signal
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from urllib.parse import quote, urlsplit

import click
from flask import current_app
from huey.consumer import Consumer, ConsumerStopped
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.audiences import oidc
from app.config import VERSION, quote_userinfo, sender_problem
from app.config_table import SETTINGS
from app.core import ServiceError, probes
from app.core.api_keys import create_api_key, find_api_key, revoke_api_key
from app.core.settings import mail_from
from app.core.uow import unit_of_work
from app.core.users import create_user, normalize_email
from app.core.worker import hold_liveness_lock, request_stop, stop_requested, wait_for_stop
from app.demo import seed_demo
from app.extensions import db, huey
from app.fanout.dispatch import sweep_dispatches
from app.models import Role, User
from app.reminders.tick import tick
from app.sqltypes import utcnow
from app.tasks import enqueue_orphans, run_dispatch

log = logging.getLogger(__name__)

# How long a stopping worker waits for its tasks' batches in hand before it exits anyway.
SHUTDOWN_TIMEOUT_SECONDS = 30


@click.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.viewer.value)
@click.option("--timezone", default="UTC", show_default=True)
@click.option(
    "--password-env",
    default="CRIER_PASSWORD",
    show_default=True,
    help="Read the password from this environment variable instead of prompting.",
)
def create_user_command(email, name, role, timezone, password_env):
    """Create a user who can sign in to /admin."""

    password = os.environ.get(password_env)
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work():
            user = create_user(email, password=password, name=name, role=role, timezone=timezone)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {user.role} {user.email}.")


@click.command("seed-demo")
@click.option("--past-incidents", default=8, show_default=True, type=click.IntRange(0, 5000))
def seed_demo_command(past_incidents):
    """Fill an empty page with demo data (does nothing if the page is set up)."""

    with unit_of_work():
        result = seed_demo(past_incidents=past_incidents)
    if not result.created:
        click.echo("The page is already set up; demo data left as it is.")
        return
    path = os.path.join(current_app.instance_path, "demo-login.txt")
    os.makedirs(current_app.instance_path, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{result.admin_email} {result.admin_password}\n")
    click.echo("Demo page created.")
    click.echo(f"Sign in at /login as {result.admin_email} with password {result.admin_password}")


class _Consumer(Consumer):
    """Huey's consumer, stopping gracefully on SIGTERM (a deploy, `docker stop`, systemd) as
    on SIGINT: no new tasks, and running ones are asked to stop after their batch in hand
    (``request_stop``), hand their work back to the queue and return. Huey by default stops
    at once on SIGTERM, which left a dispatch `running` until someone took it over.

    It runs the consumers of the other lanes (``lanes``) beside its own, in this process:
    they start, stop and are health-checked with it, and only it handles signals."""

    def __init__(self, *args, lanes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lanes = list(lanes)

    def start(self):
        for lane in self.lanes:
            lane.start()
        super().start()  # its signal handlers are set last: they are the ones that hold

    def run(self):
        """Huey's run, restarting (SIGHUP) with the command line this process was started
        with: Huey's own restart loses ``python -m flask``'s ``-m``."""
        self.start()
        health_check_ts = time.monotonic()
        while True:
            try:
                health_check_ts = self.loop(health_check_ts)
            except ConsumerStopped:
                break
        self.huey.notify_interrupted_tasks()
        if self._restart:
            log.info("worker: restarting as %s", " ".join(sys.orig_argv))
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(sys.executable, sys.orig_argv)  # noqa: S606 - this process's own command

    def check_worker_health(self):
        healthy = [lane.check_worker_health() for lane in self.lanes]
        return super().check_worker_health() and all(healthy)

    def _set_signal_handlers(self):
        super()._set_signal_handlers()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._stop_gracefully)

    def _stop_gracefully(self, signum, frame):
        # A signal handler may interrupt anything in the main thread, itself included: no
        # logging (stop() logs) and no lock before the plain flag below. `make run` is stopped
        # with SIGTERM to its whole group and again from its trap, and a second handler that
        # reached the stop event's lock while the first held it hung the worker for ever.
        restart = signum == signal.SIGHUP  # Huey's restart: stop gracefully, then exec again
        if self._signum is not None:  # already stopping: the stop holds, a restart becomes one
            self._restart = self._restart and restart
            return
        self._signum, self._restart, self._graceful = signum, restart, True
        request_stop()
        if signum == signal.SIGINT:
            signal.signal(signum, signal.default_int_handler)  # Ctrl-C again: stop now

    def stop(self, graceful=False):
        if self._signum is not None:
            log.info(
                "worker: %s received: %s; running tasks finish their batch in hand and hand "
                "the rest back to the queue (at most %s s)",
                signal.Signals(self._signum).name,
                "restarting" if self._restart else "stopping",
                SHUTDOWN_TIMEOUT_SECONDS,
            )
        for lane in self.lanes:
            lane.stop_flag.set()  # every lane stops taking tasks at once
        super().stop(graceful=graceful)
        for lane in self.lanes:
            lane.stop(graceful=graceful)
        log.info("worker: every task has stopped")


def _sweep_loop(app, every: float) -> None:
    """Hand orphaned dispatches to the queue now and every ``every`` seconds (Huey's periodic
    tasks fire once a minute at most; a dead worker's dispatch should wait seconds)."""
    while not stop_requested():
        with app.app_context():
            try:
                enqueue_orphans()
            except Exception:  # the database or queue is down for now: try again next round
                log.exception("dispatch sweep failed")
        wait_for_stop(every)


@click.command("worker")
@click.option(
    "--workers",
    "-w",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads for fan-out (emails, webhooks, Slack): one dispatch each at a time.",
)
@click.option(
    "--lane-threads",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    envvar="WORKER_LANE_THREADS",
    help="Threads for the publish lane (publishing, reminders, the clock): fan-out never "
    "takes them.",
)
def worker_command(workers, lane_threads):
    """Run the task worker (emails, publishing, reminders) until SIGTERM or Ctrl-C."""

    if huey.huey.immediate:
        raise click.ClickException("the queue is in immediate mode (tests); nothing to consume")
    # Huey's default back-off lets an idle worker poll a SQLite queue only every 10 s; the
    # public site should show an update within a second, so poll every 0.05-0.1 s (one
    # indexed read of the queue table; Redis blocks instead).
    # A graceful stop waits for the batches in hand; past the timeout the leases cover it.
    options = dict(
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        max_delay=0.1,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
    )
    lane = Consumer(huey.lane, workers=lane_threads, **options)
    consumer = _Consumer(huey.huey, workers=workers, lanes=[lane], **options)
    app = current_app._get_current_object()
    hold_liveness_lock()  # PostgreSQL: our dispatches are taken over the moment we die
    sweeper = threading.Thread(
        target=_sweep_loop, args=(app, app.config["DISPATCH_SWEEP_SECONDS"]), daemon=True
    )
    click.echo(
        f"Worker started with {workers} fan-out and {lane_threads} publish-lane threads "
        f"on {type(huey.huey.storage).__name__}."
    )
    sweeper.start()
    consumer.run()
    click.echo("Worker stopped.")


# The web server. granian (Rust, HTTP/1.1) runs the WSGI app with a pool of Python threads per
# process; a read of a published page is the middleware's dictionary lookup, so the server's
# own cost per request decides the rate: granian's is about a fifth of gunicorn's sync workers'
# (docs/performance.md). SIGTERM drains and stops it, SIGHUP restarts its processes one by one.
WEB_SERVER = "granian"


def default_web_threads() -> int:
    """Threads per web process: 2 per CPU + 1, the most the server calls reasonable (more
    threads only wait for the GIL; reads never block, the console's requests seldom)."""
    return 2 * (os.cpu_count() or 1) + 1


WEB_KILL_SECONDS = 15  # inside the unit's TimeoutStopSec=30, so systemd never has to


def web_server_args(*, host, port, workers, threads, access_log=False) -> list[str]:
    """The command line that serves ``app.wsgi:app``, from the folder that holds the ``app``
    package: the checkout, or site-packages when Crier was installed with pip."""
    found = shutil.which(WEB_SERVER, path=os.path.dirname(sys.executable)) or shutil.which(
        WEB_SERVER
    )
    if found is None:
        raise click.ClickException(
            f"{WEB_SERVER} is not installed: run `make run` (or pip install .)"
        )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return [
        found,
        *("--interface", "wsgi", "--working-dir", root),
        *("--host", host, "--port", str(port)),
        *("--workers", str(workers), "--blocking-threads", str(threads)),
        # A web process that does not stop within this many seconds of SIGTERM is killed:
        # a request lasts milliseconds, and a worker stuck in the server's own shutdown would
        # otherwise keep `make run`, a deploy or systemd's stop waiting for ever.
        *("--workers-kill-timeout", str(WEB_KILL_SECONDS)),
        *("--log-level", "warning", "--access-log" if access_log else "--no-access-log"),
        "app.wsgi:app",
    ]


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), envvar="PORT"
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="WEB_WORKERS",
    help="Processes: one per CPU is plenty (a read costs microseconds of Python).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    envvar="WEB_THREADS",
    help="Python threads per process for requests (the console's, the API's, cold pages); "
    "default: 2 per CPU + 1.",
)
@click.option(
    "--nice",
    default=10,
    show_default=True,
    type=click.IntRange(0, 19),
    envvar="WEB_NICE",
    help="Lower the web processes' CPU priority by this much (see below); 0 keeps it.",
)
@click.option("--access-log/--no-access-log", default=False, show_default=True)
def web_command(host, port, workers, threads, nice, access_log):
    """Serve the public site, the console and the APIs over HTTP until SIGTERM or Ctrl-C."""
    threads = threads or default_web_threads()
    args = web_server_args(
        host=host, port=port, workers=workers, threads=threads, access_log=access_log
    )
    # Reads yield the CPU to publishing. When readers saturate the machine, a read that waits
    # a millisecond more goes unnoticed, while a publish that waits behind them keeps the
    # update off the page: at 10,000 past incidents under 128 connections an update took
    # 1.7 s (p99) to show at equal priority and 0.5 s with the readers at nice 10
    # (bench/storm.py). A worker is one Python process, so it never takes more than a CPU
    # from the readers; on a machine of its own the web server loses nothing.
    if nice:
        os.nice(nice)
    sys.stdout.flush()
    # The server replaces this process (its signals, its exit status); the configuration was
    # checked when this command loaded the app, so a bad setting stops here with one line.
    os.execv(args[0], args)  # noqa: S606 - a fixed program and arguments, no shell


@click.command("check-config")
def check_config_command():
    """Print every setting (secrets masked), reach the database, the queue and Redis, and
    name what is wrong; exit 1 on any problem."""
    cfg = current_app.config
    click.echo(f"crier {VERSION}")
    for line in settings_report(cfg):
        click.echo(line)
    database = probes.database_problem(cfg["SQLALCHEMY_DATABASE_URI"])
    schema = None
    if database is None:
        migrate_config = current_app.extensions["migrate"].migrate.get_config()
        state, schema = probes.schema_state(migrate_config, cfg["SQLALCHEMY_DATABASE_URI"])
        click.echo(f"database schema: {state}")
    problems = [
        p
        for p in (
            database,
            schema,
            probes.queue_problem(huey.huey),
            probes.redis_problem(cfg["REDIS_URL"]) if cfg.get("REDIS_URL") else None,
        )
        if p
    ]
    if cfg.get("VIEWER_OIDC_DISCOVERY_URL"):
        problems += [p for p in (oidc.provider_problem(),) if p]
    if not problems and cfg["EMAIL_BACKEND"] in ("sendgrid", "smtp"):
        sender = _sender_problem(cfg["EMAIL_BACKEND"])
        problems += [sender] if sender else []
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        raise click.ClickException(f"configuration has {len(problems)} problem(s)")
    reached = (
        "the database, the queue and Redis"
        if cfg.get("REDIS_URL")
        else "the database and the queue"
    )
    click.echo(f"configuration OK: {reached} answered")


def settings_report(cfg) -> list[str]:
    """``NAME=value`` for every setting of the table, secrets masked, and the notes an
    operator should read (a password that other tools will read differently)."""
    lines = []
    for setting in SETTINGS:
        value = cfg.get(setting.name)
        if setting.name == "DATABASE_URL":
            value = make_url(cfg["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
        elif setting.name == "REDIS_URL" and value:
            value = _mask_url_password(value)
        elif setting.secret and value:
            value = f"****** ({len(value)} {'keys' if setting.kind == 'keys' else 'characters'})"
        elif value is None:
            value = ""
        lines.append(f"{setting.name}={value}")
    raw = cfg.get("DATABASE_URL") or ""
    if raw != quote_userinfo(raw):
        userinfo = raw.partition("://")[2].rpartition("@")[0]
        odd = sorted({c for c in userinfo.partition(":")[2] if c in "#?/@ %"})
        codes = ", ".join(f"{c!r} as {quote(c, safe='')}" for c in odd) or "them"
        lines.append(
            "note: DATABASE_URL's password holds characters a URL reserves; Crier reads them "
            f"as part of the password, but psql, pg_dump and other tools need {codes}"
        )
    return lines


def _mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}:***@{netloc}").geturl()


def _sender_problem(backend) -> str | None:
    """The From address in use (the page's setting, else MAIL_FROM) must have a real domain:
    SendGrid refuses status@localhost, so the first fan-out would fail."""
    try:
        sender = mail_from()
    except SQLAlchemyError:  # no tables yet: MAIL_FROM was checked at start-up
        db.session.rollback()
        return None
    problem = sender_problem(sender)
    if problem:
        return (
            f"The From address (the page's setting, else MAIL_FROM) {problem}; "
            f"EMAIL_BACKEND={backend} needs a real sender. Fix it under /admin/settings."
        )
    return None


@click.group("reminders")
def reminders_group():
    """Overdue-update reminders."""


@reminders_group.command("tick")
@click.option(
    "--now",
    "now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]),
    default=None,
    help="Tick as if it were this UTC time (rehearsals and tests); default: the clock.",
)
def reminders_tick_command(now):
    """Run one reminder tick now (for cron-only setups) and print what it sent."""

    sent = tick(now=now.replace(tzinfo=UTC) if now else None)
    for reminder in sent:
        incident = reminder.incident
        click.echo(
            f"sent {reminder.level} reminder for {incident.severity} {incident.title!r} "
            f"(due {reminder.due_at.isoformat()})"
        )
    click.echo(f"{len(sent)} reminder(s) sent.")


@click.group("dispatches")
def dispatches_group():
    """The fan-out outbox."""


@dispatches_group.command("sweep")
def dispatches_sweep_command():
    """Re-enqueue dispatches a crash or a queue outage left behind (the worker's sweep, now)."""

    ids = sweep_dispatches()
    for dispatch_id in ids:
        run_dispatch(dispatch_id)
    click.echo(f"{len(ids)} dispatch(es) re-enqueued.")


def _expiry(value: str) -> datetime:
    """``90d`` (days from now) or ``2031-01-31`` (midnight UTC that day) as a UTC time."""
    value = value.strip()
    try:
        if value[-1:].lower() == "d" and value[:-1].isdigit():
            return utcnow() + timedelta(days=int(value[:-1]))
        return datetime.combine(date.fromisoformat(value), time_of_day(), tzinfo=UTC)
    except (ValueError, OverflowError):
        raise click.BadParameter(
            "give a number of days (90d) or a date (2031-01-31).", param_hint="--expires"
        ) from None


@click.group("api-key")
def api_key_group():
    """Keys for the management API (/api/v1)."""


@api_key_group.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(["lead", "admin"]), default="lead", show_default=True)
@click.option(
    "--owner",
    metavar="EMAIL",
    help="An active lead or admin who leads the incidents the key opens (and gets their "
    "reminders); the key is suspended while they are deactivated or below its scope. Without "
    "it, the on-duty lead leads those the request names no lead_email for.",
)
@click.option(
    "--expires",
    metavar="DAYS|DATE",
    help="When the key stops working: a number of days (90d) or a date (2031-01-31, UTC).",
)
def api_key_create_command(name, scope, owner, expires):
    """Create a key and print it (this once: only its hash is stored)."""
    actor = None
    if owner is not None:
        actor = db.session.scalar(db.select(User).filter_by(email=normalize_email(owner)))
        if actor is None or not actor.active or not actor.can(Role.lead):
            raise click.ClickException(f"{owner!r} is not an active lead or admin.")
    expires_at = _expiry(expires) if expires else None
    try:
        with unit_of_work():
            _key, secret = create_api_key(name, scope=scope, actor=actor, expires_at=expires_at)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(secret)


@api_key_group.command("revoke")
@click.argument("name")
def api_key_revoke_command(name):
    """Revoke the key with this name; it stops working at once."""
    key = find_api_key(name)
    if key is None:
        raise click.ClickException(f"There is no key named {name!r}.")
    with unit_of_work():
        revoke_api_key(key, actor=None)
    click.echo(f"Revoked {key.name}.")


def init_app(app):
    for command in (
        api_key_group,
        create_user_command,
        seed_demo_command,
        web_command,
        worker_command,
        check_config_command,
        reminders_group,
        dispatches_group,
    ):
        app.cli.add_command(command)
