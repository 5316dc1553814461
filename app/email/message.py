"""One interface for every email backend: a batch of personalised copies of one message."""

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, parseaddr


class DeliveryError(Exception):
    """The provider refused a batch; nothing in it counts as sent."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class RetryableError(DeliveryError):
    """Try the same batch again later (throttled, provider down, network trouble)."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, retry_after=None):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Retrying will not help (bad key, forbidden, malformed request): stop and say so."""


@dataclass(frozen=True)
class Recipient:
    """One copy: the address, its substitutions (%%key%% -> value) and its own headers."""

    email: str
    substitutions: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    """A file every copy carries: its name, MIME type (parameters allowed, e.g.
    ``text/calendar; method=PUBLISH``) and bytes."""

    filename: str
    content_type: str
    data: bytes

    @property
    def mimetype(self) -> str:
        """The type without its parameters: ``text/calendar``."""
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def params(self) -> dict[str, str]:
        """The type's parameters: ``{"method": "PUBLISH"}``."""
        pairs = (p.split("=", 1) for p in self.content_type.split(";")[1:] if "=" in p)
        return {k.strip().lower(): v.strip().strip('"') for k, v in pairs}


@dataclass
class Batch:
    """The same message to many recipients, each in their own personalization."""

    sender: str
    subject: str
    text: str
    html: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    custom_args: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)

    def render(self, recipient: Recipient) -> EmailMessage:
        """The MIME message one recipient gets, substitutions applied (SMTP, console, memory)."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = recipient.email
        msg["Subject"] = substitute(self.subject, recipient.substitutions)
        for name, value in {**self.headers, **recipient.headers}.items():
            msg[name] = value
        msg.set_content(substitute(self.text, recipient.substitutions))
        if self.html:
            msg.add_alternative(substitute(self.html, recipient.substitutions), subtype="html")
        for attachment in self.attachments:
            maintype, subtype = attachment.mimetype.split("/", 1)
            params = {k: v for k, v in attachment.params.items() if k != "charset"}
            if maintype == "text":
                msg.add_attachment(
                    attachment.data.decode(),
                    subtype=subtype,
                    filename=attachment.filename,
                    params=params,
                )
            else:
                msg.add_attachment(
                    attachment.data,
                    maintype=maintype,
                    subtype=subtype,
                    filename=attachment.filename,
                    params=params,
                )
        return msg


@dataclass
class SendResult:
    """What the provider accepted from a batch; ``refused`` are addresses it turned down."""

    accepted: int
    refused: list[str] = field(default_factory=list)


def substitute(text: str, substitutions: dict[str, str]) -> str:
    """Apply %%key%% substitutions as SendGrid does on its side."""
    for key, value in substitutions.items():
        text = text.replace(key, value)
    return text


def split_sender(sender: str) -> tuple[str, str]:
    """("Name", "addr@host") from "Name <addr@host>"."""
    name, addr = parseaddr(sender)
    return name, addr


def format_sender(name: str, addr: str) -> str:
    """ "Name <addr>" from its parts (just the address without a name)."""
    return formataddr((name, addr)) if name else addr
