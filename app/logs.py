"""Logging for every process: one handler on standard error, plain lines or JSON lines.

``LOG_LEVEL`` and ``LOG_FORMAT`` choose; a record's ``dispatch_id`` and ``incident`` (passed
as ``extra=``) become fields of its JSON object, so a log search finds every line about one
dispatch or incident.
"""

import json
import logging
import sys
from datetime import UTC, datetime

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FIELDS = ("dispatch_id", "incident")

# Huey logs every task it runs at INFO, alembic each plugin it loads; the consumer's start,
# stop and signals are worth keeping, the rest is noise at INFO.
QUIET = {
    "huey": logging.WARNING,
    "huey.consumer.Scheduler": logging.WARNING,
    "alembic.runtime.plugins": logging.WARNING,
}
TOLD = {"huey.consumer": logging.INFO}


class JSONFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the record's
    dispatch and incident when given, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if getattr(record, name, None) is not None:
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _Handler(logging.StreamHandler):
    """Ours, so configuring again replaces it instead of adding a second."""


def configure_logging(level: str = "INFO", fmt: str = "plain") -> None:
    """Send every logger's records at ``level`` and above to standard error as ``fmt``."""
    from flask.logging import default_handler

    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler(sys.stderr)
    handler.setFormatter(JSONFormatter() if fmt == "json" else logging.Formatter(PLAIN))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("app").removeHandler(default_handler)  # ours prints it already
    debugging = level == "DEBUG"
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(logging.NOTSET if debugging else quiet)
    for name, told in TOLD.items():
        logging.getLogger(name).setLevel(logging.NOTSET if debugging else told)
