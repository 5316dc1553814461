"""The SMTP backend: smtplib, STARTTLS or SSL, one connection per batch."""

import smtplib
import ssl as ssl_lib

from app.email.message import Batch, PermanentError, RetryableError, SendResult


class SMTPBackend:
    """Sends each copy as its own message over one connection per batch."""

    # Smaller than SendGrid's: a connection lost or a worker killed mid-batch resends at most
    # this many (the dispatch reports them as possible duplicates).
    batch_size = 50

    def __init__(self, *, host, port=25, username=None, password=None, starttls=False, ssl=False):
        self.host = host
        self.port = int(port)
        self.username = username
        self.password = password
        self.starttls = starttls
        self.ssl = ssl
        self.timeout = 30

    def _connect(self) -> smtplib.SMTP:
        if self.ssl:
            conn = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl_lib.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls and not self.ssl:
                conn.starttls(context=ssl_lib.create_default_context())
            if self.username:
                conn.login(self.username, self.password or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, batch: Batch) -> SendResult:
        """Send every copy; addresses the server refuses are reported, not retried."""
        refused = []
        try:
            with self._connect() as conn:
                for recipient in batch.recipients:
                    try:
                        conn.send_message(batch.render(recipient))
                    except smtplib.SMTPRecipientsRefused:
                        refused.append(recipient.email)
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentError(
                f"SMTP login refused: {exc.smtp_code}", status=exc.smtp_code
            ) from None
        except smtplib.SMTPResponseException as exc:
            message = f"SMTP server answered {exc.smtp_code}: {_text(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise RetryableError(message, status=exc.smtp_code) from None
            raise PermanentError(message, status=exc.smtp_code) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryableError(f"SMTP connection failed: {exc}") from None
        return SendResult(accepted=len(batch.recipients) - len(refused), refused=refused)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
