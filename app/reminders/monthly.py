"""Last month's report by email to the stakeholder groups an admin chose, on the 1st of each
month in the page's timezone, exactly once per recipient.

The tick inserts one ``MonthlyReportMail`` row per (group, month, recipient) unless it exists:
the unique row is the claim, as the reminder tick's. A row is then sent by the one run that
takes its lease (a conditional UPDATE, which only one of two racing runs wins) and is stamped
sent in the same step; a run that dies holding a lease leaves the row to the next tick once
the lease lapses. A failed send is retried by a later tick, a few times.
"""

import logging
import os
import socket
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import ServiceError
from app.core.settings import mail_from, page_settings
from app.email import DeliveryError, send_one
from app.extensions import db
from app.models import AuditEvent, MonthlyReportGroup, MonthlyReportMail, StakeholderGroup, User
from app.reminders.availability import availability
from app.reminders.periods import measures_report, period_bounds
from app.sqltypes import utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
RETRY_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5
KEY_MEASURES = ("ttd", "tte", "ttf", "ttr")


def monthly_groups() -> list[StakeholderGroup]:
    """The stakeholder groups that receive the monthly report, by name."""
    return list(
        db.session.scalars(
            db.select(StakeholderGroup)
            .join(MonthlyReportGroup, MonthlyReportGroup.group_id == StakeholderGroup.id)
            .order_by(StakeholderGroup.name)
        )
    )


def group_choices() -> list[tuple[int, str]]:
    """Every stakeholder group, (id, name) by name, for the admin to choose from."""
    query = db.select(StakeholderGroup.id, StakeholderGroup.name).order_by(StakeholderGroup.name)
    return [(group_id, name) for group_id, name in db.session.execute(query)]


def choose_monthly_group(group_id: int | None, *, actor: User | None = None) -> None:
    """Send the monthly report to this stakeholder group (and no other), or to none; audited."""
    group = None
    if group_id is not None:
        group = db.session.get(StakeholderGroup, group_id)
        if group is None:
            raise ServiceError("Choose one of the stakeholder groups.", "group")
    before = [g.name for g in monthly_groups()]
    after = [group.name] if group else []
    if before == after:
        return
    db.session.execute(db.delete(MonthlyReportGroup))
    if group is not None:
        db.session.add(MonthlyReportGroup(group_id=group.id))
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action="reports.monthly_email",
            object_type="stakeholder_group",
            object_id=str(group.id) if group else None,
            detail={"before": before, "after": after},
        )
    )
    db.session.flush()


def _claim(groups: list[StakeholderGroup], month: str, now: datetime) -> None:
    rows = [
        {"group_id": g.id, "month": month, "email": email.strip().lower(), "created_at": now}
        for g in groups
        for email in sorted({e.strip().lower() for e in g.emails if e and e.strip()})
    ]
    if not rows:
        return
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(MonthlyReportMail)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["group_id", "month", "email"])
    )
    db.session.commit()


def _take(mail_id: int, owner: str, now: datetime) -> bool:
    """Lease one unsent row for this run; False when another run holds it or sent it."""
    Mail = MonthlyReportMail
    taken = db.session.execute(
        db.update(Mail)
        .where(
            Mail.id == mail_id,
            Mail.sent_at.is_(None),
            (Mail.lease_until.is_(None)) | (Mail.lease_until < now),
        )
        .values(owner=owner, lease_until=now + LEASE, attempts=Mail.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def monthly_tick(*, now: datetime | None = None) -> int:
    """One pass: from the 1st (page timezone) on, once last month is over in UTC too, send its
    report to each chosen group's recipients who have not had it (a group chosen during the
    month gets its first report on the next 1st); the number of emails sent. Safe from many
    workers at once."""
    now = now or utcnow()
    settings = page_settings()
    groups = db.session.execute(
        db.select(StakeholderGroup, MonthlyReportGroup.chosen_at).join(
            MonthlyReportGroup, MonthlyReportGroup.group_id == StakeholderGroup.id
        )
    ).all()
    db.session.commit()  # end the read before claiming (SQLite refuses a write on an old read)
    if not groups:
        return 0
    timezone = ZoneInfo((settings.timezone if settings else None) or "UTC")
    today = now.astimezone(timezone).date()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month = f"{first:%Y-%m}"
    # A group chosen after this month began gets its first report on the next 1st; and the
    # report's month (UTC days, as on the reports page) must be over, east of UTC too.
    due = datetime(today.year, today.month, 1, tzinfo=timezone)
    groups = [g for g, chosen in groups if chosen <= due]
    if not groups or now < period_bounds("month", first)[1]:
        return 0
    _claim(groups, month, now)
    Mail = MonthlyReportMail
    waiting = db.session.execute(
        db.select(Mail.id, Mail.email)
        .where(
            Mail.month == month,
            Mail.group_id.in_([g.id for g in groups]),
            Mail.sent_at.is_(None),
            Mail.attempts < MAX_ATTEMPTS,
            (Mail.lease_until.is_(None)) | (Mail.lease_until < now),
        )
        .order_by(Mail.id)
    ).all()
    db.session.commit()
    if not waiting:
        return 0
    message = compose(first)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    sent = 0
    for mail_id, email in waiting:
        if not _take(mail_id, owner, now):
            continue
        mail = db.session.get(Mail, mail_id)
        try:
            send_one(sender=mail_from(), to=email, **message)
        except DeliveryError as exc:
            log.warning("monthly report to a recipient of group %s failed: %s", mail.group_id, exc)
            mail.last_error = str(exc)[:500]
            mail.lease_until = now + RETRY_AFTER  # a later tick tries again
        else:
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
        db.session.commit()
    return sent


def _figures(report: dict) -> list[dict]:
    rows = {(r["group"], r["measure"]): r for r in report["rows"]}
    return [rows[("all", key)] for key in KEY_MEASURES if ("all", key) in rows]


def compose(first: date) -> dict:
    """Subject, text and HTML of the report for the month starting on ``first``."""
    start, end = period_bounds("month", first)
    report = measures_report(start, end)
    settings = page_settings()
    page_name = (settings.page_name if settings else "") or "Crier"
    base = current_app.config["PUBLIC_BASE_URL"]
    context = {
        "page_name": page_name,
        "month": f"{first:%B %Y}",
        "count": next((r["count"] for r in _figures(report) if r["measure"] == "ttd"), 0),
        "figures": _figures(report),
        "availability": [row.as_dict() for row in availability(start, end)],
        "link": f"{base}/admin/reports?period=month&on={first.isoformat()}",
    }
    env = current_app.jinja_env
    return {
        "subject": f"[{page_name}] Incident report for {context['month']}",
        "text": env.get_template("email/monthly_report.txt").render(context),
        "html": env.get_template("email/monthly_report.html").render(context),
    }
