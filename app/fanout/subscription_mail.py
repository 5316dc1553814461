"""Sending the subscription emails: the double opt-in link and the manage link."""

from app.core.settings import mail_from
from app.email import send_one
from app.extensions import db
from app.fanout import emails
from app.fanout.subscribers import personal_token
from app.models import Subscriber


def send_confirmation(subscriber_id: int, token: str) -> None:
    """Email the confirmation link (the token is not stored, so it comes from the caller)."""
    sub = db.session.get(Subscriber, subscriber_id)
    if sub is None or sub.suppressed_at:
        return
    subject, text, html = emails.confirmation_message(token)
    send_one(sender=mail_from(), to=sub.email, subject=subject, text=text, html=html)


def send_manage_link(subscriber_id: int) -> None:
    """Email an already subscribed address its manage link."""
    sub = db.session.get(Subscriber, subscriber_id)
    if sub is None or not sub.is_active:
        return
    subject, text, html = emails.manage_link_message(personal_token(sub))
    send_one(sender=mail_from(), to=sub.email, subject=subject, text=text, html=html)
