"""Viewers sign in by an emailed link: single use, 15 minutes, only its hash stored.

``request_link`` makes a link for an address an audience admits (by its address or its
domain) and queues the email after the commit; any other address gets the same answer and
no email. ``redeem_link`` spends a link and opens a ``ViewerSession``; ``sign_out`` revokes
it. Every sign-in and sign-out is audited. Admins list the live sessions
(``live_sessions``) and revoke one (``revoke_session``, audited). Verbs flush, never commit.
"""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template

from app.audiences.membership import domain_of
from app.core import ServiceError
from app.core.audit import record
from app.core.settings import mail_from, page_settings
from app.core.text import clean_line
from app.core.uow import after_commit
from app.core.users import normalize_email
from app.email import send_one
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    PageAudience,
    ViewerLink,
    ViewerSession,
)
from app.signals import viewer_link_requested
from app.sqltypes import utcnow

LINK_MINUTES = 15
_REFUSED = "This sign-in link has expired or was already used. Ask for a new one."


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next(value: str | None) -> str:
    """A path on this site to go to after signing in, never another site nor the console."""
    value = clean_line(value)[:512] if isinstance(value, str) else ""
    parts = urlsplit(value)
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or parts.scheme
        or parts.netloc
        or parts.path.startswith(("/admin", "/login"))
    ):
        return "/"
    return value


def admitting_audiences(email: str, claims=()) -> list[PageAudience]:
    """The audiences that admit this (normalised) address, by itself or by its domain, or
    one of these OpenID Connect claim values."""
    wanted = [(AdmissionKind.email, email), (AdmissionKind.domain, domain_of(email))]
    wanted += [(AdmissionKind.claim, value) for value in claims]
    query = (
        db.select(PageAudience)
        .join(AudienceAdmission)
        .where(
            db.or_(
                *(
                    db.and_(AudienceAdmission.kind == kind, AudienceAdmission.value == value)
                    for kind, value in wanted
                )
            )
        )
        .distinct()
        .order_by(PageAudience.name)
    )
    return list(db.session.scalars(query))


def request_link(email: str, *, next_path: str | None = None) -> bool:
    """Make a sign-in link and queue its email, if an audience admits ``email``. The caller
    answers the same either way, so the page says nothing of who is admitted."""
    email = normalize_email(email)
    if not admitting_audiences(email):
        return False
    token, now = secrets.token_urlsafe(32), utcnow()
    db.session.add(
        ViewerLink(
            token_hash=_sha256(token),
            email=email,
            next_path=safe_next(next_path),
            created_at=now,
            expires_at=now + timedelta(minutes=LINK_MINUTES),
        )
    )
    db.session.flush()
    after_commit(viewer_link_requested, email=email, token=token)
    return True


def redeem_link(token: str) -> tuple[ViewerSession, str]:
    """Spend a link: a new viewer session and where to go next; refused once used, expired
    or unknown, all with one message."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise ServiceError(_REFUSED, field="token")
    link = db.session.scalar(
        db.select(ViewerLink).filter_by(token_hash=_sha256(token)).with_for_update()
    )
    now = utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise ServiceError(_REFUSED, field="token")
    link.used_at = now
    session = ViewerSession(email=link.email, method="email", created_at=now)
    db.session.add(session)
    record(
        "viewer.sign_in",
        actor=None,
        obj=session,
        object_type="viewer",
        detail={"email": link.email, "method": "email"},
    )
    return session, safe_next(link.next_path)


def sign_out(session_id: str) -> None:
    """End a viewer session on the server: its cookie no longer opens anything."""
    session = db.session.scalar(db.select(ViewerSession).filter_by(public_id=session_id))
    if session is None or session.revoked_at is not None:
        return
    session.revoked_at = utcnow()
    record(
        "viewer.sign_out", actor=None, obj=session, object_type="viewer",
        detail={"email": session.email},
    )  # fmt: skip


MAX_LISTED = 500  # the console's list of sessions, newest first


def live_sessions(limit: int = MAX_LISTED) -> list[ViewerSession]:
    """Viewer sessions whose cookie still opens something: not revoked, not too old."""
    since = utcnow() - timedelta(days=int(current_app.config["VIEWER_SESSION_DAYS"]))
    query = (
        db.select(ViewerSession)
        .where(ViewerSession.revoked_at.is_(None), ViewerSession.created_at >= since)
        .order_by(ViewerSession.created_at.desc(), ViewerSession.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def revoke_session(public_id: str, *, actor) -> ViewerSession:
    """An admin ends a viewer's session: its cookie opens nothing any more. Audited."""
    session = None
    if isinstance(public_id, str) and len(public_id) == 12:
        session = db.session.scalar(db.select(ViewerSession).filter_by(public_id=public_id))
    if session is None:
        raise ServiceError("There is no such viewer session.", field="session")
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        record(
            "viewer.revoke", actor=actor, obj=session, object_type="viewer",
            detail={"email": session.email, "method": session.method},
        )  # fmt: skip
    return session


def send_sign_in_link(email: str, token: str) -> None:
    """Email the link (after the commit, from a task; the token is never stored)."""
    base = (page_settings().public_url or current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    context = {
        "page": page_settings(),
        "url": f"{clean_line(base)}/viewer/link/{token}",
        "minutes": LINK_MINUTES,
    }
    subject = f"[{page_settings().page_name}] Your sign-in link"
    text = render_template("email/viewer_link.txt", **context)
    html = render_template("email/viewer_link.html", **context)
    send_one(sender=mail_from(), to=email, subject=subject, text=text, html=html)
