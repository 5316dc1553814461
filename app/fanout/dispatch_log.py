"""Log lines about a dispatch name it and its incident, in the text and as record fields."""

import logging

from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import Dispatch

log = logging.getLogger("app.fanout.dispatch")


def log_dispatch(level: int, dispatch: Dispatch, message: str, *args) -> None:
    """Log about a dispatch, naming it and its incident (in the text and, for JSON logs, as
    the record's ``dispatch_id`` and ``incident``)."""
    try:
        update = dispatch.update
        incident = update.incident.public_id if update is not None else None
    except SQLAlchemyError:  # the database is what failed: the dispatch's id must do
        db.session.rollback()
        incident = None
    log.log(
        level,
        f"dispatch %s (incident %s, %s %s): {message}",
        dispatch.id,
        incident or "none: a component change",
        dispatch.audience,
        dispatch.channel,
        *args,
        extra={"dispatch_id": dispatch.id, "incident": incident},
    )
