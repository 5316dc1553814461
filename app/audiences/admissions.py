"""The checks of an audience as typed: its name, kind, components and who it admits.

Every error names its field and says what to change; nothing is stored until all pass.
"""

import ipaddress
import re
from dataclasses import dataclass, field

from app.audiences.freemail import is_free_mail
from app.core import ServiceError
from app.core.text import clean_line
from app.core.users import normalize_email
from app.models import AdmissionKind, AudienceKind

MAX_NAME = 120
MAX_VALUE = 255  # the admissions' column
MAX_ENTRIES = 500  # per list: members, domains, claim values, networks, components, groups
# Wider than these would admit a large part of the internet, never one customer's offices.
WIDEST_PREFIX = {4: 8, 6: 32}
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_PUBLIC_ID = re.compile(r"^[a-z0-9]{12}$")


class AudienceInvalid(ServiceError):
    """One message per field that is wrong, for the form; the first is the message."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


@dataclass
class AudienceDraft:
    """An audience as typed: lists hold one entry per line."""

    name: str = ""
    kind: str = AudienceKind.customer.value
    component_ids: list[str] = field(default_factory=list)  # public ids
    group_ids: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CleanAudience:
    name: str
    kind: AudienceKind
    component_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    admissions: tuple[tuple[AdmissionKind, str], ...]


def lines(text: str | None) -> list[str]:
    """The non-empty lines (or comma-separated entries) of a textarea."""
    return [part.strip() for part in re.split(r"[\n,]", text or "") if part.strip()]


def _has_controls(value: str) -> bool:
    return clean_line(value) != value.strip()


def check_name(name: str) -> str:
    raw = name or ""
    if len(raw) > MAX_NAME * 4:
        raise ServiceError(f"The name is too long: at most {MAX_NAME} characters.", "name")
    if _has_controls(raw):
        raise ServiceError("The name contains control characters; type it again.", "name")
    name = clean_line(raw)
    if not name:
        raise ServiceError("Give the audience a name.", "name")
    if len(name) > MAX_NAME:
        raise ServiceError(f"The name is too long: at most {MAX_NAME} characters.", "name")
    return name


def check_kind(kind: str) -> AudienceKind:
    try:
        return AudienceKind(kind)
    except ValueError:
        raise ServiceError("The kind is either customer or internal.", "kind") from None


def check_ids(values: list[str], field_name: str, what: str) -> tuple[str, ...]:
    """Public ids, well formed (existence is the verb's check)."""
    if len(values) > MAX_ENTRIES:
        raise ServiceError(f"At most {MAX_ENTRIES} {what}s.", field_name)
    for value in values:
        if not _PUBLIC_ID.match(value or ""):
            shown = (value or "")[:40]
            raise ServiceError(f"There is no {what} with the id {shown!r}.", field_name)
    return tuple(dict.fromkeys(values))


def check_email(value: str) -> str:
    if len(value) > 254:
        raise ServiceError("An email address is at most 254 characters.", "emails")
    try:
        return normalize_email(value)
    except ServiceError:
        raise ServiceError(f"{value[:80]!r} is not an email address.", "emails") from None


def check_domain(value: str) -> str:
    if len(value) > 255:
        raise ServiceError("A domain name is at most 253 characters.", "domains")
    domain = value.strip().lstrip("@").rstrip(".").lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    if not _DOMAIN.match(ascii_domain):
        raise ServiceError(f"{value[:80]!r} is not a domain name like example.com.", "domains")
    if is_free_mail(ascii_domain):
        raise ServiceError(
            f"{ascii_domain} is a free-mail domain: anyone can have an address there. "
            "List its members' addresses one by one instead.",
            "domains",
        )
    return ascii_domain


def check_claim(value: str) -> str:
    if len(value) > MAX_VALUE:
        raise ServiceError(f"A claim value is at most {MAX_VALUE} characters.", "claims")
    if _has_controls(value):
        raise ServiceError("A claim value contains control characters.", "claims")
    return value


def check_network(value: str) -> str:
    if len(value) > 49:  # the longest IPv6 range written out
        raise ServiceError(f"{value[:60]!r}… is not an IP range.", "networks")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        loose = _loose_network(value)
        if loose is not None:
            raise ServiceError(
                f"{value[:60]} has bits set after its prefix; did you mean {loose}?", "networks"
            ) from None
        raise ServiceError(
            f"{value[:60]!r} is not an IP range like 192.0.2.0/24 or 2001:db8::/48 ({exc}).",
            "networks",
        ) from None
    widest = WIDEST_PREFIX[network.version]
    if network.prefixlen < widest:
        raise ServiceError(
            f"{network} is too wide to admit an audience: at least a /{widest}.", "networks"
        )
    return str(network)


def _loose_network(value: str):
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


_LISTS = (
    ("emails", AdmissionKind.email, check_email),
    ("domains", AdmissionKind.domain, check_domain),
    ("claims", AdmissionKind.claim, check_claim),
    ("networks", AdmissionKind.network, check_network),
)


def check_draft(draft: AudienceDraft) -> CleanAudience:
    """The draft cleaned, or ``AudienceInvalid`` naming every field that is wrong."""
    errors: dict[str, str] = {}
    values: dict = {}

    def run(name, fn, *args):
        try:
            values[name] = fn(*args)
        except ServiceError as exc:
            errors.setdefault(exc.field or name, exc.message)

    run("name", check_name, draft.name)
    run("kind", check_kind, draft.kind)
    run("component_ids", check_ids, list(draft.component_ids), "component_ids", "component")
    run("group_ids", check_ids, list(draft.group_ids), "group_ids", "component group")
    admissions: list[tuple[AdmissionKind, str]] = []
    for name, kind, check in _LISTS:
        entries = list(getattr(draft, name))
        if len(entries) > MAX_ENTRIES:
            errors.setdefault(name, f"At most {MAX_ENTRIES} entries, one a line.")
            continue
        for entry in entries:
            try:
                admissions.append((kind, check(entry)))
            except ServiceError as exc:
                errors.setdefault(name, exc.message)
                break
    if errors:
        raise AudienceInvalid(errors)
    return CleanAudience(
        name=values["name"],
        kind=values["kind"],
        component_ids=values["component_ids"],
        group_ids=values["group_ids"],
        admissions=tuple(dict.fromkeys(admissions)),
    )
