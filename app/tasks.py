"""Huey tasks: thin wrappers that run services inside the app context."""

from huey import crontab

from app.extensions import huey
from app.services.worker import record_heartbeat


@huey.periodic_task(crontab(minute="*"))
def heartbeat():
    """Every minute: prove to the admin that the queue is being consumed."""
    record_heartbeat()


@huey.on_startup()
def check_in():
    """A worker that just started is alive: say so before the first minute passes."""
    record_heartbeat()


@huey.task()
def publish(seen=None):
    """Re-render and store the public site after a change (read at generation ``seen``)."""
    from app.services.publishing import publish_if_stale, publish_site

    if seen is None:
        publish_site()
    else:
        publish_if_stale(seen=seen)


@huey.periodic_task(crontab(minute="*/15"))
def republish_for_the_clock():
    """Time alone moves the uptime bars and past days: a new day shows within 15 minutes."""
    from app.services.publishing import publish_site

    publish_site()
