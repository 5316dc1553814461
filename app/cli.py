"""Flask commands: web, worker, create-user, seed-demo, check-config, …"""

import logging
import os
import shutil
import signal
import sys
import threading
from datetime import UTC, date, datetime, time, timedelta

import click
from flask import current_app
from huey.consumer import Consumer
from sqlalchemy.exc import SQLAlchemyError

from app.config import sender_problem
from app.core import ServiceError
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
    at once on SIGTERM, which left a dispatch `running` until someone took it over."""

    def _set_signal_handlers(self):
        super()._set_signal_handlers()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop_gracefully)

    def _stop_gracefully(self, signum, frame):
        request_stop()
        self._signum, self._restart, self._graceful = signum, False, True
        signal.signal(signum, signal.default_int_handler)  # a second signal: stop now


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
@click.option("--workers", "-w", default=2, show_default=True, type=click.IntRange(1, 64))
def worker_command(workers):
    """Run the task worker (emails, publishing, reminders) until SIGTERM or Ctrl-C."""

    if huey.huey.immediate:
        raise click.ClickException("the queue is in immediate mode (tests); nothing to consume")
    # Huey's default back-off lets an idle worker poll a SQLite queue only every 10 s; the
    # public site should show an update within a second, so poll every 0.05-0.1 s (one
    # indexed read of the queue table; Redis blocks instead).
    # A graceful stop waits for the batches in hand; past the timeout the leases cover it.
    consumer = _Consumer(
        huey.huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        max_delay=0.1,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
    )
    app = current_app._get_current_object()
    hold_liveness_lock()  # PostgreSQL: our dispatches are taken over the moment we die
    sweeper = threading.Thread(
        target=_sweep_loop, args=(app, app.config["DISPATCH_SWEEP_SECONDS"]), daemon=True
    )
    click.echo(f"Worker started with {workers} threads on {type(huey.huey.storage).__name__}.")
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


def web_server_args(*, host, port, workers, threads, access_log=False) -> list[str]:
    """The command line that serves ``wsgi:app`` (the project's root on the import path)."""
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
        *("--log-level", "warning", "--access-log" if access_log else "--no-access-log"),
        "wsgi:app",
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
    """Print the effective configuration (secrets hidden)."""
    cfg = current_app.config
    for key in ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "EMAIL_BACKEND", "MAIL_FROM"):
        value = cfg.get(key)
        if key == "DATABASE_URL" and value:
            from sqlalchemy.engine import make_url

            value = make_url(cfg["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
        click.echo(f"{key}={value or ''}")
    if cfg["EMAIL_BACKEND"] in ("sendgrid", "smtp"):
        _check_sender(cfg["EMAIL_BACKEND"])
    click.echo("configuration OK")


def _check_sender(backend):
    """The From address in use (the page's setting, else MAIL_FROM) must have a real domain:
    SendGrid refuses status@localhost, so the first fan-out would fail."""
    try:
        sender = mail_from()
    except SQLAlchemyError:  # no database yet: MAIL_FROM was checked at start-up
        db.session.rollback()
        return
    problem = sender_problem(sender)
    if problem:
        raise click.ClickException(
            f"The From address (the page's setting, else MAIL_FROM) {problem}; "
            f"EMAIL_BACKEND={backend} needs a real sender. Fix it under /admin/settings."
        )


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
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
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
