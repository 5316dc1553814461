"""Huey tasks: thin wrappers that run domain verbs inside the app context.

Two lanes (``app.extensions``): fan-out tasks on one queue, publishing, reminders and every
periodic task on the publish lane, whose threads fan-out never takes. Periodic tasks run on
Huey's per-minute clock; the reminder tick re-schedules itself once so
it runs every 30 s. The receivers here are where domains meet the queue: they connect only the
signals sent after a commit (``app.core.uow.after_commit``) and only enqueue; a domain never
imports this module. A queue that is down fails nothing: the rows are committed, and the sweeps
enqueue them once it is back.
"""

import logging

from huey import crontab

from app.alerts import notices as alert_notices
from app.audiences import viewers as viewer_service
from app.core.metrics import REMINDER_TICKS
from app.core.worker import record_heartbeat, stop_requested
from app.extensions import PUBLISH, huey
from app.fanout import dispatch as dispatch_service
from app.fanout import hooks as hook_service
from app.fanout import subscription_mail
from app.incidents.maintenance import advance_maintenance
from app.models import DispatchStatus
from app.publishing.changes import pending
from app.publishing.publish import publish_changes, publish_for_the_clock
from app.reminders import monthly as monthly_mail
from app.reminders import tick as reminders_service
from app.signals import (
    alert_notices_ready,
    confirmation_requested,
    dispatches_ready,
    hook_challenge_requested,
    hook_subscriber_disabled,
    manage_link_requested,
    publish_requested,
    viewer_link_requested,
)

log = logging.getLogger(__name__)


# --- Worker health ----------------------------------------------------------------------------


@huey.periodic_task(crontab(minute="*"))
def heartbeat():
    """Every minute: prove to the admin that the queue is being consumed."""
    record_heartbeat()


@huey.on_startup()
def check_in():
    """A worker that just started is alive: say so before the first minute passes."""
    record_heartbeat()


# --- Fan-out: dispatches, their sweep, and subscription emails --------------------------------


@huey.task()
def run_dispatch(dispatch_id):
    """Send one dispatch from its cursor. If this worker is stopping, the dispatch was handed
    back (or never started): queue it again so another worker continues at once."""
    try:
        dispatch = dispatch_service.run_dispatch(dispatch_id)
    except Exception:  # Huey logs it too, without saying which dispatch
        log.exception(
            "dispatch %s: the run failed", dispatch_id, extra={"dispatch_id": dispatch_id}
        )
        raise
    if stop_requested() and (dispatch is None or dispatch.status == DispatchStatus.pending):
        run_dispatch(dispatch_id)


def enqueue_orphans() -> int:
    """Re-enqueue dispatches a dead worker (lapsed lease) or a lost task left behind; how many.
    `flask worker` runs this at start and every ``DISPATCH_SWEEP_SECONDS``."""
    ids = dispatch_service.sweep_dispatches()
    for dispatch_id in ids:
        run_dispatch(dispatch_id)
    return len(ids)


@huey.periodic_task(crontab(minute="*"))
def sweep_dispatches():
    """Every minute as well, for a worker started without its sweep loop."""
    enqueue_orphans()


@huey.task(retries=3, retry_delay=60)
def send_confirmation(subscriber_id, token):
    """Email the double opt-in link."""
    subscription_mail.send_confirmation(subscriber_id, token)


@huey.task(retries=3, retry_delay=60)
def send_manage_link(subscriber_id):
    """Email an already subscribed address its manage link."""
    subscription_mail.send_manage_link(subscriber_id)


@confirmation_requested.connect
def _send_confirmation(sender, subscriber_id, token, **extra):
    try:
        send_confirmation(subscriber_id, token)
    except Exception:
        log.exception("could not enqueue a confirmation email")


@manage_link_requested.connect
def _send_manage_link(sender, subscriber_id, **extra):
    try:
        send_manage_link(subscriber_id)
    except Exception:
        log.exception("could not enqueue a manage link email")


@huey.task(retries=3, retry_delay=60)
def send_viewer_link(email, token):
    """Email a viewer their sign-in link."""
    viewer_service.send_sign_in_link(email, token)


@viewer_link_requested.connect
def _send_viewer_link(sender, email, token, **extra):
    try:
        send_viewer_link(email, token)
    except Exception:
        log.exception("could not enqueue a viewer sign-in link")


@huey.task()
def challenge_hook(subscriber_id, token=None):
    """Challenge a new webhook or post a Slack channel its link (never in a web request), on
    the challengers' own threads: this worker thread is free at once."""
    hook_service.start_challenge(subscriber_id, token)


@hook_challenge_requested.connect
def _challenge_hook(sender, *, subscriber_id, token=None, **extra):
    try:
        challenge_hook(subscriber_id, token)
    except Exception:
        log.exception("could not enqueue a webhook challenge")


@huey.task(retries=3, retry_delay=60)
def tell_hook_disabled(subscriber_id):
    """Email the admins that a webhook or Slack subscriber was disabled."""
    hook_service.tell_disabled(subscriber_id)


@hook_subscriber_disabled.connect
def _tell_hook_disabled(sender, *, subscriber_id, **extra):
    try:
        tell_hook_disabled(subscriber_id)
    except Exception:
        log.exception("could not enqueue the notice of a disabled hook subscriber")


@dispatches_ready.connect
def _enqueue_dispatches(sender, *, ids, **extra):
    """After the commit that wrote them: start sending."""
    for dispatch_id in ids:
        try:
            run_dispatch(dispatch_id)
        except Exception:
            log.exception("could not enqueue dispatch %s", dispatch_id)


# --- Alerts: the lead's notices ---------------------------------------------------------------


@huey.task(retries=3, retry_delay=60)
def send_alert_notice(subject, body, to):
    """Email one alert notice to one person (a retry resends to that person only)."""
    alert_notices.send_notice(subject=subject, body=body, to=to)


@alert_notices_ready.connect
def _send_alert_notices(sender, *, notices, **extra):
    """After the Alertmanager notification's commit: queue each notice for each recipient. A
    queue that is down must not fail Alertmanager's POST (it would retry and repeat)."""
    for notice in notices:
        for address in notice["recipients"]:
            try:
                send_alert_notice(notice["subject"], notice["body"], address)
            except Exception:
                log.exception("could not enqueue an alert notice to %s", address)


# --- Reminders --------------------------------------------------------------------------------


def _tick() -> None:
    """One reminder pass, counted (a failed one logged, then raised for Huey)."""
    try:
        reminders_service.tick()
    except Exception:
        REMINDER_TICKS.labels("error").inc()
        log.exception("reminder tick failed")
        raise
    REMINDER_TICKS.labels("ok").inc()


@huey.task(lane=PUBLISH)
def reminder_tick():
    """One reminder pass."""
    _tick()


@huey.periodic_task(crontab(minute="*"))
def reminder_ticks():
    """Huey's clock is per minute: tick now and again in 30 s."""
    reminder_tick.schedule(delay=30)  # first: a failing tick must not cost the second one
    _tick()


# --- Publishing and maintenance ---------------------------------------------------------------


PUBLISH_BATCHES_PER_TASK = 10


@huey.task(lane=PUBLISH)
def publish():
    """Publish waiting changes, batch after batch (each its own generation and commit; fresh
    changes join the next batch); past a few batches, or when this worker is stopping, queue
    the rest as a new task."""
    for _batch in range(PUBLISH_BATCHES_PER_TASK):
        if stop_requested():
            log.info("publishing: this worker is stopping; the rest is queued for another")
            break  # a worker shutting down: the rest goes back on the queue for another
        try:
            published = publish_changes()
        except Exception:  # the changes stay waiting: the next publish or the sweep retries
            log.exception("publishing failed; the changes wait for the next publish")
            raise
        if published is None:
            return
    if pending():
        publish()


@publish_requested.connect
def _republish(sender, **extra):
    """A public change and its outbox rows were committed: publish them on the queue."""
    try:
        publish()
    except Exception:  # the rows are committed; the per-minute sweep will catch up
        log.exception("publishing: could not enqueue a re-publish")


@huey.periodic_task(crontab(minute="*"))
def sweep_publishing():
    """Every minute: publish changes a crashed worker or a queue outage left waiting (here, on
    this worker: the queue may be what failed)."""
    if pending():
        publish.call_local()


@huey.periodic_task(crontab(minute="*/15"))
def republish_for_the_clock():
    """Time alone moves the uptime bars and past days: a new day shows within 15 minutes.
    Only the status page, badge and JSON documents depend on the clock."""
    publish_for_the_clock()


@huey.periodic_task(crontab(minute="*"))
def maintenance_tick():
    """Every minute: start and complete maintenance windows whose time has come."""
    advance_maintenance()


@huey.periodic_task(crontab(minute="*/10"))
def monthly_report_tick():
    """Every ten minutes: send last month's report to the chosen groups once it is due."""
    monthly_mail.monthly_tick()
