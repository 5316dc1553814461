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


@huey.periodic_task(crontab(minute="*"))
def maintenance_tick():
    """Every minute: start and complete maintenance windows whose time has come."""
    from app.services.maintenance import advance_maintenance

    advance_maintenance()
