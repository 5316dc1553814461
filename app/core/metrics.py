"""Prometheus metrics: counters each process keeps, and figures read at scrape time.

What every process of every machine shares (the publish generation and its staleness, the
queues, the dispatches, reminders, worker heartbeats) is read from the database and the queue
when ``/metrics`` is scraped, so any web process answers for the whole installation. What
happens inside one process (requests answered, publishes timed, dispatch batches, reminder
ticks) is counted there; with ``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder per machine,
emptied at start), prometheus_client keeps those counters in files that the scrape adds up
over every web process and worker of the machine.
"""

import os
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, huey
from app.models import (
    Dispatch,
    DispatchStatus,
    PublishDirty,
    PublishState,
    Reminder,
    ReminderLevel,
    WorkerHeartbeat,
)
from app.sqltypes import utcnow

REQUESTS = Counter(
    "crier_http_requests", "HTTP requests answered, by method and status", ["method", "code"]
)
PUBLISH_SECONDS = Histogram(
    "crier_publish_duration_seconds",
    "Publishes run by this machine's processes: claim to commit",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DISPATCH_BATCHES = Counter(
    "crier_dispatch_batches", "Fan-out batches handed to the provider, by outcome", ["outcome"]
)
REMINDER_TICKS = Counter("crier_reminder_ticks", "Reminder ticks run, by outcome", ["outcome"])
HEARTBEATS = Counter("crier_worker_heartbeats", "Heartbeats this machine's workers recorded")

HEARTBEAT_ROWS = 50  # the most recently seen workers, one series each: bounded


@dataclass
class Snapshot:
    """The installation's figures, read once per scrape."""

    up: dict[str, bool] = field(default_factory=dict)
    generation: int = 0
    published_at: datetime | None = None
    duration: float | None = None
    pending: int = 0
    oldest_pending: datetime | None = None
    queues: dict[str, int] = field(default_factory=dict)
    dispatches: dict[str, int] = field(default_factory=dict)
    recipients: dict[str, int] = field(default_factory=dict)
    remaining: int = 0
    reminders: dict[str, int] = field(default_factory=dict)
    heartbeats: list[tuple[str, datetime]] = field(default_factory=list)


def read_snapshot() -> Snapshot:
    """Read every shared figure; a part that cannot be read is reported down, not raised."""
    snap = Snapshot()
    try:
        _read_database(snap)
        snap.up["database"] = True
    except SQLAlchemyError:
        db.session.rollback()
        snap.up["database"] = False
    try:
        snap.queues = {lane: queue.pending_count() for lane, queue in huey.queues.items()}
        snap.up["queue"] = True
    except Exception:  # any storage error (Redis down, a locked file): the queue is down
        snap.up["queue"] = False
    return snap


def _read_database(snap: Snapshot) -> None:
    state = db.session.execute(
        select(PublishState.generation, PublishState.published_at, PublishState.duration_seconds)
    ).first()
    if state is not None:
        snap.generation, snap.published_at, snap.duration = state
    snap.pending, snap.oldest_pending = db.session.execute(
        select(func.count(PublishDirty.id), func.min(PublishDirty.created_at))
    ).one()
    rows = db.session.execute(
        select(
            Dispatch.status,
            func.count(Dispatch.id),
            func.coalesce(func.sum(Dispatch.accepted_count), 0),
            func.coalesce(func.sum(Dispatch.failed_count), 0),
            func.coalesce(
                func.sum(
                    Dispatch.recipients_count - Dispatch.accepted_count - Dispatch.failed_count
                ),
                0,
            ),
        ).group_by(Dispatch.status)
    ).all()
    snap.recipients = {"accepted": 0, "failed": 0}
    for status, count, accepted, failed, left in rows:
        name = getattr(status, "value", status)
        snap.dispatches[name] = count
        snap.recipients["accepted"] += accepted
        snap.recipients["failed"] += failed
        if name in ("pending", "running"):
            snap.remaining += max(left, 0)
    snap.reminders = {
        getattr(level, "value", level): count
        for level, count in db.session.execute(
            select(Reminder.level, func.count(Reminder.id))
            .where(Reminder.sent_at.is_not(None))
            .group_by(Reminder.level)
        )
    }
    snap.heartbeats = list(
        db.session.execute(
            select(WorkerHeartbeat.worker, WorkerHeartbeat.last_seen_at)
            .order_by(WorkerHeartbeat.last_seen_at.desc())
            .limit(HEARTBEAT_ROWS)
        )
    )
    db.session.rollback()  # a read of its own: no snapshot held past the scrape


class _SnapshotCollector:
    def __init__(self, snap: Snapshot, now: datetime):
        self.snap, self.now = snap, now

    def _age(self, at: datetime | None) -> float:
        return max((self.now - at).total_seconds(), 0.0) if at else 0.0

    def collect(self):
        snap = self.snap
        up = GaugeMetricFamily("crier_up", "Whether a part Crier needs answers", labels=["check"])
        for check, ok in snap.up.items():
            up.add_metric([check], 1.0 if ok else 0.0)
        yield up
        yield GaugeMetricFamily(
            "crier_publish_generation", "The last committed publish", value=snap.generation
        )
        yield GaugeMetricFamily(
            "crier_publish_last_duration_seconds",
            "How long the last publish took, claim to commit",
            value=snap.duration or 0.0,
        )
        yield GaugeMetricFamily(
            "crier_publish_age_seconds",
            "Seconds since the last publish started",
            value=self._age(snap.published_at),
        )
        yield GaugeMetricFamily(
            "crier_publish_pending_changes", "Changes waiting to be published", value=snap.pending
        )
        yield GaugeMetricFamily(
            "crier_publish_staleness_seconds",
            "How long the oldest change not yet on the public site has waited (0: none waits)",
            value=self._age(snap.oldest_pending),
        )
        depth = GaugeMetricFamily("crier_queue_depth", "Tasks waiting, per lane", labels=["lane"])
        for lane, count in snap.queues.items():
            depth.add_metric([lane], count)
        yield depth
        dispatches = GaugeMetricFamily(
            "crier_dispatches", "Dispatches by status", labels=["status"]
        )
        for status in DispatchStatus:
            dispatches.add_metric([status.value], snap.dispatches.get(status.value, 0))
        yield dispatches
        recipients = CounterMetricFamily(
            "crier_dispatch_recipients",
            "Recipients the providers accepted or refused, over every dispatch",
            labels=["outcome"],
        )
        for outcome, count in snap.recipients.items():
            recipients.add_metric([outcome], count)
        yield recipients
        yield GaugeMetricFamily(
            "crier_dispatch_recipients_remaining",
            "Recipients pending and running dispatches have still to send to",
            value=snap.remaining,
        )
        reminders = CounterMetricFamily(
            "crier_reminders_sent", "Reminders sent, by level", labels=["level"]
        )
        for level in ReminderLevel:
            reminders.add_metric([level.value], snap.reminders.get(level.value, 0))
        yield reminders
        ages = GaugeMetricFamily(
            "crier_worker_heartbeat_age_seconds",
            "Seconds since each worker last checked in",
            labels=["worker"],
        )
        for worker, seen in snap.heartbeats:
            ages.add_metric([worker], self._age(seen))
        yield ages


def render_metrics() -> tuple[bytes, str]:
    """The scrape: this process's (or, in multiprocess mode, this machine's) counters, then the
    installation's figures; its bytes and content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    shared = CollectorRegistry(auto_describe=False)
    shared.register(_SnapshotCollector(read_snapshot(), utcnow()))
    return generate_latest(counters) + generate_latest(shared), CONTENT_TYPE_LATEST
