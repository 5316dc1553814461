"""The fan-out outbox: Dispatch rows written with the update, run in batches with a cursor."""

import logging
import random
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload

from app.core import ServiceError
from app.core.settings import mail_from
from app.email import Batch, PermanentError, Recipient, RetryableError, get_backend
from app.extensions import db
from app.fanout import emails
from app.fanout.stakeholders import internal_recipients
from app.fanout.subscribers import personal_token
from app.models import Audience, Component, Dispatch, DispatchStatus, Incident, Subscriber, Update
from app.sqltypes import utcnow

log = logging.getLogger(__name__)


def audiences_for(update: Update) -> list[Audience]:
    """Who this update is for: nobody for a non-public incident's external text or no notify."""
    incident = update.incident
    wanted = []
    if update.notify and incident.is_public and (update.external_body or "").strip():
        wanted.append(Audience.external)
    internal_groups = internal_recipients(incident)
    if update.notify_stakeholders and (update.internal_body or "").strip() and internal_groups:
        wanted.append(Audience.internal)
    return wanted


def create_dispatches(update: Update) -> list[Dispatch]:
    """Add the update's Dispatch rows to the session (no commit: the caller's transaction)."""
    db.session.flush()  # column defaults (notify) and ids are only there after a flush
    existing = {d.audience for d in dispatches_for_update(update)}
    made = []
    for audience in audiences_for(update):
        if audience not in existing:
            dispatch = Dispatch(update=update, audience=audience)
            db.session.add(dispatch)
            made.append(dispatch)
    return made


def dispatches_for_update(update: Update) -> list[Dispatch]:
    """The update's dispatches, one per audience."""
    return list(db.session.scalars(db.select(Dispatch).filter_by(update_id=update.id)))


def dispatches_for_incident(incident: Incident) -> list[Dispatch]:
    """Every dispatch of an incident's updates, newest first, for the admin."""
    query = (
        db.select(Dispatch)
        .join(Update)
        .where(Update.incident_id == incident.id)
        .options(selectinload(Dispatch.update))
        .order_by(Update.posted_at.desc(), Dispatch.audience)
    )
    return list(db.session.scalars(query))


def external_recipients(incident: Incident):
    """A select of the subscribers an incident's external updates reach, in id order."""
    component_ids = [ic.component_id for ic in incident.components]
    wants = ~Subscriber.components.any()
    if component_ids:
        wants = or_(wants, Subscriber.components.any(Component.id.in_(component_ids)))
    return (
        db.select(Subscriber)
        .where(
            Subscriber.confirmed_at.is_not(None),
            Subscriber.unsubscribed_at.is_(None),
            Subscriber.suppressed_at.is_(None),
            wants,
        )
        .order_by(Subscriber.id)
    )


def _claim(dispatch_id: int) -> bool:
    """Atomically take a pending (or stale running) dispatch, so one worker runs it at a time."""
    stale = utcnow() - timedelta(seconds=current_app.config["DISPATCH_STALE_SECONDS"])
    claimable = or_(
        Dispatch.status == DispatchStatus.pending,
        and_(Dispatch.status == DispatchStatus.running, Dispatch.updated_at < stale),
    )
    result = db.session.execute(
        sql_update(Dispatch)
        .where(Dispatch.id == dispatch_id, claimable)
        .values(status=DispatchStatus.running, attempts=Dispatch.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


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


def run_dispatch(dispatch_id: int) -> Dispatch | None:
    """Send a dispatch from its cursor to the end; None if another worker holds it."""
    if not _claim(dispatch_id):
        return None
    dispatch = db.session.get(Dispatch, dispatch_id)
    if dispatch.attempts > current_app.config["DISPATCH_MAX_RUNS"]:
        # Something crashes this dispatch every time (not the provider): stop and say so.
        error = dispatch.last_error or "the worker stopped without finishing"
        return _finish(dispatch, DispatchStatus.failed, f"gave up after retries: {error}")
    backend = get_backend()
    if dispatch.cursor == 0 and dispatch.accepted_count == 0:
        dispatch.recipients_count = count_recipients(dispatch)
        db.session.commit()
    subject, text, html = emails.update_message(dispatch.update, dispatch.audience)
    batches = (
        _internal_batches(dispatch, backend.batch_size)
        if dispatch.audience == Audience.internal
        else _external_batches(dispatch, backend.batch_size)
    )
    try:
        for recipients, cursor in batches:
            batch = Batch(
                sender=mail_from(),
                subject=subject,
                text=text,
                html=html,
                recipients=recipients,
                headers={"List-Id": emails.list_id()},
                custom_args={"dispatch_id": str(dispatch.id)},  # no personal data here
            )
            result = _send_with_retries(backend, batch, dispatch)
            # Record the accepted batch before the next: a worker killed now resumes here.
            dispatch.cursor = cursor
            dispatch.accepted_count += result.accepted
            dispatch.failed_count += len(result.refused)
            dispatch.updated_at = utcnow()
            db.session.commit()
    except PermanentError as exc:
        return _finish(dispatch, DispatchStatus.failed, exc.message)
    except RetryableError as exc:
        if dispatch.attempts >= current_app.config["DISPATCH_MAX_RUNS"]:
            return _finish(dispatch, DispatchStatus.failed, f"gave up: {exc.message}")
        # Leave it pending: the sweep picks it up again, at the cursor.
        dispatch.status = DispatchStatus.pending
        dispatch.last_error = exc.message
        db.session.commit()
        log.warning("dispatch %s paused after retries: %s", dispatch.id, exc.message)
        return dispatch
    return _finish(dispatch, DispatchStatus.sent, None)


def _finish(dispatch: Dispatch, status: DispatchStatus, error: str | None) -> Dispatch:
    dispatch.status = status
    dispatch.last_error = error
    dispatch.finished_at = utcnow()
    db.session.commit()
    if status == DispatchStatus.failed:
        log.error("dispatch %s FAILED: %s", dispatch.id, error)
    return dispatch


def _send_with_retries(backend, batch: Batch, dispatch: Dispatch):
    """Send one batch; retry 429/5xx with exponential backoff or the provider's own wait."""
    cfg = current_app.config
    tries = cfg["DISPATCH_RETRIES"]
    for attempt in range(tries + 1):
        try:
            return backend.send(batch)
        except RetryableError as exc:
            if attempt == tries:
                raise
            delay = exc.retry_after
            if delay is None:
                delay = cfg["DISPATCH_BACKOFF_SECONDS"] * 2**attempt * random.uniform(1, 1.5)
            delay = min(delay, cfg["DISPATCH_MAX_BACKOFF_SECONDS"])
            dispatch.last_error = f"{exc.message} (retry {attempt + 1} in {delay:.1f} s)"
            dispatch.updated_at = utcnow()  # still alive: keep the sweep away
            db.session.commit()
            time.sleep(delay)
    raise AssertionError("unreachable")


def sweep_dispatches(*, now=None) -> list[int]:
    """Ids of dispatches a crash or a lost task left behind; the caller re-enqueues them."""
    now = now or utcnow()
    pending_before = now - timedelta(seconds=current_app.config["DISPATCH_PENDING_GRACE_SECONDS"])
    running_before = now - timedelta(seconds=current_app.config["DISPATCH_STALE_SECONDS"])
    query = (
        db.select(Dispatch.id)
        .where(
            or_(
                and_(
                    Dispatch.status == DispatchStatus.pending,
                    Dispatch.updated_at < pending_before,
                ),
                and_(
                    Dispatch.status == DispatchStatus.running,
                    Dispatch.updated_at < running_before,
                ),
            )
        )
        .order_by(Dispatch.id)
    )
    return list(db.session.scalars(query))


def retry_dispatch(dispatch: Dispatch) -> Dispatch:
    """Send a failed dispatch again from its cursor (after fixing the key, say); caller enqueues."""
    if dispatch.status != DispatchStatus.failed:
        raise ServiceError("Only a failed dispatch can be retried.")
    dispatch.status = DispatchStatus.pending
    dispatch.attempts = 0
    dispatch.finished_at = None
    db.session.commit()
    return dispatch
