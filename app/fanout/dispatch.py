"""The fan-out outbox: Dispatch rows written with the update, run in batches with a cursor."""

import logging
import random
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.core import ServiceError
from app.core.metrics import DISPATCH_BATCHES
from app.core.settings import mail_from
from app.core.uow import after_commit
from app.core.worker import stop_requested, wait_for_stop
from app.email import Batch, PermanentError, Recipient, RetryableError, get_backend
from app.extensions import db
from app.fanout import channels, emails, lease
from app.fanout.dispatch_log import log_dispatch
from app.fanout.invites import calendar_attachments
from app.fanout.reach import email_subscribers
from app.fanout.sight import seen_by, subscriber_clause
from app.fanout.stakeholders import internal_recipients
from app.fanout.subscribers import personal_token
from app.models import (
    Audience,
    Channel,
    Dispatch,
    DispatchStatus,
    Incident,
    Subscriber,
    Update,
)
from app.signals import dispatches_ready
from app.sqltypes import utcnow

log = logging.getLogger(__name__)


def audiences_for(update: Update) -> list[Audience]:
    """Who this update is for: its external text for those who may see the incident (nobody
    for an internal-only incident no internal audience sees), its internal text for the
    stakeholder groups; nobody when the lead does not notify."""
    incident = update.incident
    wanted = []
    if update.notify and (update.external_body or "").strip():
        seen = seen_by(incident)
        if seen.on_floor or seen.audience_ids:
            wanted.append(Audience.external)
    internal_groups = internal_recipients(incident)
    if update.notify_stakeholders and (update.internal_body or "").strip() and internal_groups:
        wanted.append(Audience.internal)
    return wanted


def dispatches_for_update(update: Update) -> list[Dispatch]:
    """The update's dispatches, one per audience."""
    return list(db.session.scalars(db.select(Dispatch).filter_by(update_id=update.id)))


def get_dispatch(dispatch_id: int) -> Dispatch | None:
    """The dispatch with this id."""
    return db.session.get(Dispatch, dispatch_id)


def failed_dispatches(*, days: int = 7, limit: int = 20) -> list[Dispatch]:
    """Update dispatches of the last ``days`` that failed or wait on a provider error."""
    since = utcnow() - timedelta(days=days)
    query = (
        db.select(Dispatch)
        .where(
            Dispatch.updated_at >= since,
            Dispatch.update_id.is_not(None),  # the alert names the update's incident
            (Dispatch.status == DispatchStatus.failed)
            | ((Dispatch.status == DispatchStatus.pending) & Dispatch.last_error.is_not(None)),
        )
        .order_by(Dispatch.updated_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def dispatches_for_incident(incident: Incident) -> list[Dispatch]:
    """Every dispatch of an incident's updates, newest first, for the admin."""
    query = (
        db.select(Dispatch)
        .join(Update)
        .where(Update.incident_id == incident.id)
        .options(selectinload(Dispatch.update))
        .order_by(Update.posted_at.desc(), Dispatch.audience, Dispatch.channel)
    )
    return list(db.session.scalars(query))


def external_recipients(incident: Incident):
    """A select of the subscribers an incident's external updates reach, in id order: those
    who follow it (the rule the console counts with, ``reach.email_subscribers``) and may
    see it (``sight``)."""
    wanted = email_subscribers([ic.component_id for ic in incident.components])
    return wanted.where(subscriber_clause(seen_by(incident)))


def _external_batches(dispatch: Dispatch, size: int):
    """(recipients, new cursor) batches after the cursor: one query per batch."""
    base = external_recipients(dispatch.update.incident).options(
        selectinload(Subscriber.components)
    )
    while True:
        subs = list(db.session.scalars(base.where(Subscriber.id > dispatch.cursor).limit(size)))
        if not subs:
            return
        recipients = []
        for sub in subs:
            token = personal_token(sub)
            recipients.append(
                Recipient(
                    email=sub.email,
                    substitutions=emails.subscriber_substitutions(sub, token),
                    headers=emails.unsubscribe_headers(token),
                )
            )
        yield recipients, subs[-1].id


def _internal_batches(dispatch: Dispatch, size: int):
    members = internal_recipients(dispatch.update.incident)
    while dispatch.cursor < len(members):
        chunk = members[dispatch.cursor : dispatch.cursor + size]
        recipients = []
        for email, groups in chunk:
            noun = "group" if len(groups) == 1 else "groups"
            reason = f"you are in the {', '.join(groups)} stakeholder {noun}"
            subs = {emails.REASON: reason, emails.REASON_HTML: emails.html_value(reason)}
            recipients.append(Recipient(email=email, substitutions=subs))
        yield recipients, dispatch.cursor + len(chunk)


def count_recipients(dispatch: Dispatch) -> int:
    """How many people the dispatch reaches in all."""
    if dispatch.audience == Audience.internal:
        return len(internal_recipients(dispatch.update.incident))
    query = external_recipients(dispatch.update.incident).order_by(None)
    return db.session.scalar(db.select(func.count()).select_from(query.subquery()))


class _Interrupted(Exception):
    """The run must end now: this worker is stopping, or another took the dispatch over."""


def run_dispatch(dispatch_id: int) -> Dispatch | None:
    """Send a dispatch from its cursor to the end, renewing its lease after every batch; None if
    another worker holds it or this one is stopping. A stop request between batches hands the
    dispatch back (pending, at the cursor) for the caller to enqueue again."""
    if stop_requested():
        return None
    owner = lease.claim(dispatch_id)
    if owner is None:
        return None
    dispatch = db.session.get(Dispatch, dispatch_id)
    if dispatch.attempts > current_app.config["DISPATCH_MAX_RUNS"]:
        # Something crashes this dispatch every time (not the provider): stop and say so.
        error = dispatch.last_error or "the worker stopped without finishing"
        return _finish(dispatch, owner, DispatchStatus.failed, f"gave up after retries: {error}")
    if dispatch.channel != Channel.email:
        try:
            status, error, counts = channels.run_channel(
                dispatch, owner, check_in=_check_in, wait=_wait, renew=_renew
            )
        except _Interrupted:
            return _interrupted(dispatch, owner)
        return _finish(dispatch, owner, status, error, **counts)
    backend = get_backend()
    if dispatch.cursor == 0 and dispatch.accepted_count == 0:
        lease.record(dispatch, owner, recipients_count=count_recipients(dispatch))
    subject, text, html = emails.update_message(dispatch.update, dispatch.audience)
    attachments = calendar_attachments(dispatch.update)
    batches = (
        _internal_batches(dispatch, backend.batch_size)
        if dispatch.audience == Audience.internal
        else _external_batches(dispatch, backend.batch_size)
    )
    try:
        for recipients, cursor in batches:
            _check_in(dispatch, owner, in_flight=len(recipients))  # committed before sending
            batch = Batch(
                sender=mail_from(),
                subject=subject,
                text=text,
                html=html,
                recipients=recipients,
                headers={"List-Id": emails.list_id()},
                custom_args={"dispatch_id": str(dispatch.id)},  # no personal data here
                attachments=attachments,
            )
            result = _send_with_retries(backend, batch, dispatch, owner)
            # Record the accepted batch before the next: a worker killed now resumes here.
            accepted = Dispatch.accepted_count + result.accepted
            failed = Dispatch.failed_count + len(result.refused)
            if not lease.record(
                dispatch, owner, cursor=cursor, accepted_count=accepted, failed_count=failed,
                in_flight=0,
            ):  # fmt: skip
                raise _Interrupted
    except _Interrupted:
        return _interrupted(dispatch, owner)
    except PermanentError as exc:
        return _finish(dispatch, owner, DispatchStatus.failed, exc.message)
    except RetryableError as exc:
        if dispatch.attempts >= current_app.config["DISPATCH_MAX_RUNS"]:
            return _finish(dispatch, owner, DispatchStatus.failed, f"gave up: {exc.message}")
        # Leave it pending: the sweep picks it up again, at the cursor.
        lease.release(dispatch, owner, DispatchStatus.pending, last_error=exc.message)
        log_dispatch(logging.WARNING, dispatch, "paused after retries: %s", exc.message)
        return dispatch
    return _finish(dispatch, owner, DispatchStatus.sent, None)


def _interrupted(dispatch: Dispatch, owner: str) -> Dispatch:
    if stop_requested():
        lease.release(dispatch, owner, DispatchStatus.pending)
        log_dispatch(logging.INFO, dispatch, "handed back at cursor %s (this worker is stopping)",
             dispatch.cursor)  # fmt: skip
    else:
        log_dispatch(logging.WARNING, dispatch, "taken over by another worker")
    return dispatch


def _check_in(dispatch: Dispatch, owner: str, **values) -> None:
    """Between batches: stop if asked to, else renew the lease (raise if it was lost)."""
    if stop_requested() or not lease.record(dispatch, owner, **values):
        raise _Interrupted


def _renew(dispatch: Dispatch, owner: str, **values) -> None:
    """While requests are on the wire: record and renew the lease, raising only if another
    worker took it (a stop request waits until they are back, so nothing goes out unknown)."""
    if not lease.record(dispatch, owner, **values):
        raise _Interrupted


def _finish(dispatch: Dispatch, owner: str, status: DispatchStatus, error: str | None, **values):
    lease.release(dispatch, owner, status, last_error=error, finished_at=utcnow(), **values)
    if status == DispatchStatus.failed:
        log_dispatch(logging.ERROR, dispatch, "FAILED: %s", error)
    return dispatch


def _send_with_retries(backend, batch: Batch, dispatch: Dispatch, owner: str):
    """Send one batch; retry 429/5xx with exponential backoff or the provider's own wait,
    renewing the lease while waiting (a stop request ends the wait: nothing is in flight)."""
    cfg = current_app.config
    tries = cfg["DISPATCH_RETRIES"]
    for attempt in range(tries + 1):
        try:
            result = backend.send(batch)
        except PermanentError:
            DISPATCH_BATCHES.labels("refused").inc()
            raise
        except RetryableError as exc:
            DISPATCH_BATCHES.labels("retryable_error").inc()
            if attempt == tries:
                raise
            delay = exc.retry_after
            if delay is None:
                delay = cfg["DISPATCH_BACKOFF_SECONDS"] * 2**attempt * random.uniform(1, 1.5)
            delay = min(delay, cfg["DISPATCH_MAX_BACKOFF_SECONDS"])
            error = f"{exc.message} (retry {attempt + 1} in {delay:.1f} s)"
            log_dispatch(logging.WARNING, dispatch, "%s", error)
            _check_in(dispatch, owner, in_flight=0, last_error=error)  # refused: not out
            _wait(delay, dispatch, owner)
            _check_in(dispatch, owner, in_flight=len(batch.recipients))  # on the wire again
        else:
            DISPATCH_BATCHES.labels("sent").inc()
            return result
    raise AssertionError("unreachable")


def _wait(delay: float, dispatch: Dispatch, owner: str) -> None:
    """Sleep ``delay`` seconds in slices, renewing the lease after each."""
    step = max(current_app.config["DISPATCH_LEASE_SECONDS"] / 3, 0.05)
    end = time.monotonic() + delay
    while (left := end - time.monotonic()) > 0:
        if wait_for_stop(min(step, left)):
            raise _Interrupted
        _check_in(dispatch, owner)


def sweep_dispatches(*, now=None) -> list[int]:
    """Ids of dispatches a dead worker or a lost task left behind (handed back to pending);
    the caller enqueues them."""
    return lease.sweep(now=now)


def retry_dispatch(dispatch: Dispatch) -> Dispatch:
    """Send a failed dispatch again from its cursor (after fixing the key, say); caller enqueues."""
    if dispatch.status != DispatchStatus.failed:
        raise ServiceError("Only a failed dispatch can be retried.")
    if dispatch.channel != Channel.email:
        channels.retry_failed(dispatch)  # its cursor is the deliveries still pending
    dispatch.status = DispatchStatus.pending
    dispatch.attempts = 0
    dispatch.finished_at = None
    db.session.flush()
    after_commit(dispatches_ready, ids=(dispatch.id,))
    return dispatch
