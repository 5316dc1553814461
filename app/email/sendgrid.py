"""The SendGrid backend: v3 mail/send through the ``sendgrid`` package."""

import base64
import json
import time
import urllib.error

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

from app.email.message import Batch, PermanentError, RetryableError, SendResult, split_sender

MAX_PERSONALIZATIONS = 1000  # SendGrid's limit per request


class SendGridBackend:
    """One request per batch, one personalization per recipient (nobody sees the others)."""

    batch_size = MAX_PERSONALIZATIONS

    def __init__(self, *, api_key: str, host: str = "https://api.sendgrid.com", timeout=30):
        self.client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self.client.client.timeout = timeout

    def send(self, batch: Batch) -> SendResult:
        """POST the batch; 2xx accepts all of it, else a Retryable or PermanentError."""
        try:
            self.client.send(request_body(batch))
        except HTTPError as exc:
            raise _error(exc) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise RetryableError(f"SendGrid could not be reached: {exc}") from None
        return SendResult(accepted=len(batch.recipients))


def request_body(batch: Batch) -> dict:
    """The mail/send JSON for a batch."""
    if len(batch.recipients) > MAX_PERSONALIZATIONS:
        raise ValueError(f"at most {MAX_PERSONALIZATIONS} recipients per SendGrid request")
    name, addr = split_sender(batch.sender)
    sender = {"email": addr, "name": name} if name else {"email": addr}
    personalizations = []
    for r in batch.recipients:
        p = {"to": [{"email": r.email}]}
        if r.substitutions:
            p["substitutions"] = r.substitutions
        if r.headers:
            p["headers"] = r.headers
        personalizations.append(p)
    content = [{"type": "text/plain", "value": batch.text}]
    if batch.html:
        content.append({"type": "text/html", "value": batch.html})
    body = {
        "personalizations": personalizations,
        "from": sender,
        "subject": batch.subject,
        "content": content,
    }
    if batch.headers:
        body["headers"] = batch.headers
    if batch.custom_args:
        body["custom_args"] = batch.custom_args
    if batch.attachments:
        body["attachments"] = [
            {
                "content": base64.b64encode(a.data).decode("ascii"),
                "type": a.content_type,
                "filename": a.filename,
                "disposition": "attachment",
            }
            for a in batch.attachments
        ]
    return body


def _error(exc: HTTPError):
    status = exc.status_code
    message = f"SendGrid answered {status}: {_provider_message(exc.body)}"
    if status == 429 or status >= 500:
        return RetryableError(message, status=status, retry_after=_retry_after(exc.headers))
    return PermanentError(message, status=status)


def _provider_message(body) -> str:
    """The provider's own words, e.g. "The provided authorization grant is invalid"."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        errors = json.loads(text).get("errors") or []
        messages = [e.get("message", "") for e in errors if isinstance(e, dict)]
        if any(messages):
            return "; ".join(m for m in messages if m)
    except (ValueError, AttributeError):
        pass
    return text[:500] or "(no message)"


def _retry_after(headers) -> float | None:
    """Seconds to wait from Retry-After (seconds) or X-RateLimit-Reset (epoch seconds)."""
    if headers is None:
        return None
    value = headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            pass
    return None
