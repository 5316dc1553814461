"""Subscribers in and out as CSV, and the admin's view of them."""

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field

from sqlalchemy import case, func

from app.core import ServiceError
from app.core.text import clean_line, clean_text
from app.core.uow import after_commit
from app.core.users import normalize_email
from app.extensions import db
from app.fanout.subscribers import CONFIRM_VALID_FOR
from app.models import Component, Subscriber
from app.signals import confirmation_requested
from app.sqltypes import utcnow

EXPORT_COLUMNS = ["email", "status", "components", "confirmed_at", "unsubscribed_at", "suppressed"]
MAX_IMPORT_ROWS = 100_000


def subscriber_status(sub: Subscriber) -> str:
    """One word for the admin: suppressed, unsubscribed, active or pending."""
    if sub.suppressed_at:
        return "suppressed"
    if sub.unsubscribed_at:
        return "unsubscribed"
    return "active" if sub.confirmed_at else "pending"


_STATUS_FILTERS = {
    "suppressed": Subscriber.suppressed_at.is_not(None),
    "unsubscribed": (Subscriber.suppressed_at.is_(None) & Subscriber.unsubscribed_at.is_not(None)),
    "active": (
        Subscriber.suppressed_at.is_(None)
        & Subscriber.unsubscribed_at.is_(None)
        & Subscriber.confirmed_at.is_not(None)
    ),
    "pending": (
        Subscriber.suppressed_at.is_(None)
        & Subscriber.unsubscribed_at.is_(None)
        & Subscriber.confirmed_at.is_(None)
    ),
}


def subscriber_counts() -> dict[str, int]:
    """How many subscribers are in each status, and in all."""
    columns = [func.count(case((cond, 1))).label(name) for name, cond in _STATUS_FILTERS.items()]
    row = db.session.execute(db.select(func.count(Subscriber.id), *columns)).one()
    return {"all": row[0], **{name: row[i + 1] for i, name in enumerate(_STATUS_FILTERS)}}


def search_subscribers(*, query: str = "", status: str = "", limit: int = 200) -> list[Subscriber]:
    """Subscribers whose address contains ``query``, in ``status``; newest first."""
    select = db.select(Subscriber).order_by(Subscriber.id.desc()).limit(limit)
    if query.strip():
        select = select.where(Subscriber.email.contains(query.strip().lower(), autoescape=True))
    if status in _STATUS_FILTERS:
        select = select.where(_STATUS_FILTERS[status])
    return list(db.session.scalars(select))


def export_subscribers() -> str:
    """Every subscriber as CSV (no tokens)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    query = db.select(Subscriber).order_by(Subscriber.id)
    for sub in db.session.scalars(query.execution_options(yield_per=1000)):
        row = [
            sub.email,
            subscriber_status(sub),
            " ".join(sorted(c.slug for c in sub.components)),
            sub.confirmed_at.isoformat() if sub.confirmed_at else "",
            sub.unsubscribed_at.isoformat() if sub.unsubscribed_at else "",
            sub.suppressed_reason or "",
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: str) -> str:
    """Stop spreadsheets running a cell as a formula ("=cmd@example.com" is a valid address)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    to_confirm: list[tuple[int, str]] = field(default_factory=list, repr=False)


def _rows(text: str):
    # Control characters (a NUL, a pasted escape) are dropped before parsing, and every cell
    # is one line: what reaches the database and the error list is plain text.
    reader = csv.reader(io.StringIO(clean_text(text)))
    try:
        rows = [[clean_line(cell) for cell in r] for r in reader]
    except csv.Error as exc:  # e.g. a field past csv's 128 KiB limit: no address is that long
        raise ServiceError(
            f"Line {reader.line_num} is not readable CSV ({exc}).", field="file"
        ) from None
    rows = [r for r in rows if any(r)]
    if rows and rows[0] and rows[0][0].strip().lower() == "email":
        header = [h.strip().lower() for h in rows[0]]
        return [dict(zip(header, r, strict=False)) for r in rows[1:]]
    return [{"email": r[0], "components": r[1] if len(r) > 1 else ""} for r in rows]


def import_subscribers(text: str, *, consented: bool) -> ImportResult:
    """Add new addresses: confirmed only if the admin says they consented, else sent a link.

    Addresses already known are left alone, so an import never resubscribes anyone who left.
    """
    rows = _rows(text)
    if len(rows) > MAX_IMPORT_ROWS:
        raise ServiceError(f"Import at most {MAX_IMPORT_ROWS} rows at a time.", field="file")
    by_slug = {c.slug: c for c in db.session.scalars(db.select(Component))}
    known = set(db.session.scalars(db.select(Subscriber.email)))
    result, now, pending = ImportResult(), utcnow(), []
    for number, row in enumerate(rows, start=1):
        try:
            email = normalize_email(row.get("email", ""))
        except ServiceError as exc:
            result.errors.append(f"Row {number}: {exc.message}")
            continue
        if email in known:
            result.skipped += 1
            continue
        slugs = (row.get("components") or "").replace(";", " ").split()
        unknown = [s for s in slugs if s not in by_slug]
        if unknown:
            result.errors.append(f"Row {number}: unknown components {', '.join(unknown)}")
            continue
        hidden = [s for s in slugs if not by_slug[s].is_public]
        if hidden:  # only an audience's viewers follow its components, from their own page
            result.errors.append(
                f"Row {number}: {', '.join(hidden)} not on the public page; a subscriber "
                "follows public components only"
            )
            continue
        sub = Subscriber(
            email=email,
            token_hash=secrets.token_hex(16),
            confirmed_at=now if consented else None,
            components=[by_slug[s] for s in slugs],
        )
        if not consented:
            token = secrets.token_urlsafe(32)
            sub.confirm_token_hash = hashlib.sha256(token.encode()).hexdigest()
            sub.confirm_expires_at = now + CONFIRM_VALID_FOR
            pending.append((sub, token))
        db.session.add(sub)
        known.add(email)
        result.created += 1
    db.session.flush()
    result.to_confirm = [(sub.id, token) for sub, token in pending]
    for subscriber_id, token in result.to_confirm:
        after_commit(confirmation_requested, subscriber_id=subscriber_id, token=token)
    return result
