"""Closed periods' reports, remembered in this process: a year at 10,000 incidents reads in
hundreds of milliseconds, and a closed period is read again and again (last month, last
quarter) while nothing under it changes.

A read is remembered under a fingerprint of everything it depends on, itself one cheap
query: the count and latest change of the incidents (every change of one bumps its
``updated_at``), the count and newest row of the updates, reminders and incident-component
links (rows only added or removed; a correction never turns a public text blank or back),
the components (a rename bumps ``updated_at``) and the page settings (the cadence policy).
Any committed change, from any process, gives a new fingerprint, so nothing goes stale. Only
a period that ended before now, whose incidents are all resolved and have no due window
still open, is remembered: those figures no longer move with the clock.
"""

import threading
from collections import OrderedDict
from datetime import datetime

from flask import current_app

from app.extensions import db
from app.models import Component, Incident, IncidentComponent, Reminder, Setting, Update
from app.sqltypes import utcnow

KEEP = 8  # periods remembered per application (per process)


def _store() -> tuple[OrderedDict, threading.Lock]:
    """This application's remembered reads (an app made afresh, as each test's, starts empty)."""
    return current_app.extensions.setdefault(
        "crier.closed_reports", (OrderedDict(), threading.Lock())
    )


def fingerprint(start: datetime, end: datetime) -> tuple | None:
    """The key of the period's read as the data stands, or None for a period not yet over."""
    if end > utcnow():
        return None
    counted = (Update, Reminder, IncidentComponent)
    row = db.session.execute(
        db.select(
            db.select(db.func.count(Incident.id)).scalar_subquery(),
            db.select(db.func.max(Incident.updated_at)).scalar_subquery(),
            *(db.select(db.func.count(m.id)).scalar_subquery() for m in counted),
            *(db.select(db.func.max(m.id)).scalar_subquery() for m in counted),
            db.select(db.func.count(Component.id)).scalar_subquery(),
            db.select(db.func.max(Component.updated_at)).scalar_subquery(),
            db.select(db.func.max(Setting.updated_at)).scalar_subquery(),
        )
    ).one()
    return (start, end, *row)


def settled(records) -> bool:
    """Every incident of the read is resolved and has no due window open."""
    return all(r.seconds["ttr"] is not None and not r.comms["pending"] for r in records)


def recall(key: tuple):
    reads, lock = _store()
    with lock:
        read = reads.get(key)
        if read is not None:
            reads.move_to_end(key)
        return read


def remember(key: tuple, read) -> None:
    reads, lock = _store()
    with lock:
        reads[key] = read
        reads.move_to_end(key)
        while len(reads) > KEEP:
            reads.popitem(last=False)


def forget() -> None:
    """Drop this application's remembered reads (a benchmark's cold runs)."""
    reads, lock = _store()
    with lock:
        reads.clear()
