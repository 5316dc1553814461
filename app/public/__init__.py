"""The public face: status page, incident pages, history, feeds and badge, served as published."""

from flask import Blueprint

from app.signals import public_changed

# cli_group=None: the blueprint's commands (flask publish) sit at the top level.
bp = Blueprint("public", __name__, cli_group=None)


@public_changed.connect
def _republish(sender, **extra):
    """Something public changed and was committed: re-publish (on the queue)."""
    from flask import current_app

    from app.publishing.publish import current_generation
    from app.tasks import publish

    try:
        publish(seen=current_generation())
    except Exception:  # the change is committed; the 15-minute re-publish will catch up
        current_app.logger.exception("publishing: could not enqueue a re-publish")


from app.public import cli, serve, subscriptions, views  # noqa: E402, F401 - routes and commands register on import

bp.record_once(serve.install)
