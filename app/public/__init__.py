"""The public face: status page, incident pages, history, feeds and badge, served as published."""

from flask import Blueprint

from app.publishing import serve

# cli_group=None: the blueprint's commands (flask publish) sit at the top level.
bp = Blueprint("public", __name__, cli_group=None)

from app.public import cli, feed_tokens, hook_subscriptions, subscriptions, viewers, views  # noqa: E402, F401 - routes and commands register on import

bp.record_once(serve.install)
