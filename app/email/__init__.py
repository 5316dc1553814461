"""Email backends behind one interface: send(batch) -> SendResult, or a DeliveryError."""

from flask import current_app

from app.email.message import (
    Attachment,
    Batch,
    DeliveryError,
    PermanentError,
    Recipient,
    RetryableError,
    SendResult,
)

__all__ = [
    "Attachment",
    "Batch",
    "DeliveryError",
    "PermanentError",
    "Recipient",
    "RetryableError",
    "SendResult",
    "get_backend",
]


def _make_backend(cfg):
    name = cfg["EMAIL_BACKEND"]
    if name == "sendgrid":
        from app.email.sendgrid import SendGridBackend

        return SendGridBackend(api_key=cfg["SENDGRID_API_KEY"], host=cfg["SENDGRID_API_HOST"])
    if name == "smtp":
        from app.email.smtp import SMTPBackend

        return SMTPBackend(
            host=cfg["SMTP_HOST"],
            port=cfg["SMTP_PORT"],
            username=cfg.get("SMTP_USERNAME"),
            password=cfg.get("SMTP_PASSWORD"),
            starttls=cfg.get("SMTP_STARTTLS", False),
            ssl=cfg.get("SMTP_SSL", False),
        )
    if name == "memory":
        from app.email.memory import MemoryBackend

        return MemoryBackend()
    from app.email.console import ConsoleBackend

    return ConsoleBackend()


def get_backend():
    """The app's configured backend, made once per app."""
    ext = current_app.extensions
    if "crier_email" not in ext:
        ext["crier_email"] = _make_backend(current_app.config)
    return ext["crier_email"]


def send_one(
    *, sender: str, to: str, subject: str, text: str, html: str | None = None, headers=None
):
    """Send a single message now (confirmation emails); raises DeliveryError."""
    batch = Batch(
        sender=sender,
        subject=subject,
        text=text,
        html=html,
        recipients=[Recipient(email=to)],
        headers=dict(headers or {}),
    )
    return get_backend().send(batch)
