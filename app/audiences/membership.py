"""Which audiences a viewer belongs to, read once per interval into each process.

A viewer's set of audiences is the union of what their sign-in gives (their address, its
domain, and their OpenID Connect claim values) and what their IP address gives (the ranges
that contain it). The sets viewers can have are finite: every listed address, domain, claim
value and range names one, the signed-in sessions name the unions their claim values make,
and each of these may be joined by a range's. The publisher renders a page once per set
(``Membership.keys``); a web process finds a viewer's set with dictionary lookups
(``Membership.key_for``), so a read costs no query, and a member removed is locked out of
their audience's page within ``PUBLISH_CHECK_SECONDS``.
"""

import ipaddress
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.models import AdmissionKind, AudienceAdmission, PageAudience, ViewerSession
from app.sqltypes import utcnow

NONE: frozenset[str] = frozenset()
MAX_SESSION_SETS = 10_000  # signed-in sessions read for the unions their claims make


def domain_of(email: str) -> str:
    """The domain of a normalised address, as admissions store it (IDNA, lower case)."""
    domain = email.rsplit("@", 1)[-1].lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def parse_address(value) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A client address as the WSGI server (or ProxyFix, for trusted proxies) gave it."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


@dataclass(frozen=True)
class Ranges:
    """IP ranges by version and prefix length, for a lookup per prefix length in use."""

    by_prefix: dict = field(default_factory=dict)  # (version, prefixlen) -> {network int: ids}

    def __bool__(self) -> bool:
        return bool(self.by_prefix)

    def ids_at(self, address, widest_only_to: int | None = None) -> frozenset[str]:
        """The audiences of the ranges that contain ``address`` (of those no narrower than
        ``widest_only_to`` bits, when given)."""
        found = NONE
        whole, bits = int(address), address.max_prefixlen
        for (version, prefix), networks in self.by_prefix.items():
            if version != address.version:
                continue
            if widest_only_to is not None and prefix > widest_only_to:
                continue
            ids = networks.get(whole >> (bits - prefix) << (bits - prefix))
            if ids:
                found = found | ids
        return found

    def sets(self) -> set[frozenset[str]]:
        """Every set an address can be given: a range's own, with the ranges around it (ranges
        nest or are apart, so the ranges around an address are those around the narrowest)."""
        found = set()
        for (version, prefix), networks in self.by_prefix.items():
            for start in networks:
                address = ipaddress.IPv4Address(start) if version == 4 else None
                address = address or ipaddress.IPv6Address(start)
                found.add(self.ids_at(address, widest_only_to=prefix))
        return found


def _ranges(networks: dict[str, set[str]]) -> Ranges:
    by_prefix: dict = defaultdict(dict)
    for text, ids in networks.items():
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:  # checked when written; a bad row never stops a read
            continue
        key = (network.version, network.prefixlen)
        start = int(network.network_address)
        by_prefix[key][start] = by_prefix[key].get(start, NONE) | frozenset(ids)
    return Ranges(by_prefix=dict(by_prefix))


@dataclass(frozen=True)
class Membership:
    emails: dict = field(default_factory=dict)  # address -> frozenset of audience public ids
    domains: dict = field(default_factory=dict)  # domain -> frozenset of audience public ids
    claims: dict = field(default_factory=dict)  # claim value -> frozenset of audience public ids
    ranges: Ranges = field(default_factory=Ranges)
    sessions: frozenset = NONE  # (address, claim values) of signed-in sessions with claims

    def ids_for(self, email: str, claims=()) -> frozenset[str]:
        """What a sign-in gives: the address, its domain, the claim values."""
        found = self.emails.get(email, NONE) | self.domains.get(domain_of(email), NONE)
        for value in claims:
            found = found | self.claims.get(value, NONE)
        return found

    def ids_at(self, address) -> frozenset[str]:
        """What a client address gives: the audiences whose ranges contain it."""
        if not self.ranges:
            return NONE
        parsed = parse_address(address)
        return self.ranges.ids_at(parsed) if parsed is not None else NONE

    def key_for(self, email: str | None = None, claims=(), address=None) -> str:
        """The key of a viewer's set of audiences; "" for none (the public page)."""
        found = self.ids_for(email, claims) if email else NONE
        return ",".join(sorted(found | self.ids_at(address)))

    def keys(self) -> set[str]:
        """Every set of audiences a viewer can have."""
        signed_in = {NONE, *self.domains.values(), *self.claims.values()}
        signed_in |= {self.ids_for(email) for email in self.emails}
        signed_in |= {self.ids_for(email, claims) for email, claims in self.sessions}
        at = {NONE, *self.ranges.sets()}
        return {",".join(sorted(a | b)) for a in signed_in for b in at} - {""}


def load_membership() -> Membership:
    """Every address, domain, claim value and range audiences admit (one query), and the
    claim values of the signed-in sessions (one more, bounded)."""
    query = db.select(AudienceAdmission.kind, AudienceAdmission.value, PageAudience.public_id).join(
        PageAudience
    )
    found = {kind: defaultdict(set) for kind in AdmissionKind}
    for kind, value, public_id in db.session.execute(query):
        found[kind][value].add(public_id)
    sessions = frozenset()
    if found[AdmissionKind.claim]:
        since = utcnow() - timedelta(days=int(current_app.config["VIEWER_SESSION_DAYS"]))
        rows = db.session.execute(
            db.select(ViewerSession.email, ViewerSession.claims)
            .where(
                ViewerSession.claims.is_not(None),
                ViewerSession.revoked_at.is_(None),
                ViewerSession.created_at >= since,
            )
            .order_by(ViewerSession.created_at.desc())
            .limit(MAX_SESSION_SETS)
        )
        sessions = frozenset((email, tuple(_claims(text))) for email, text in rows)

    def frozen(kind):
        return {k: frozenset(v) for k, v in found[kind].items()}

    return Membership(
        emails=frozen(AdmissionKind.email),
        domains=frozen(AdmissionKind.domain),
        claims=frozen(AdmissionKind.claim),
        ranges=_ranges(found[AdmissionKind.network]),
        sessions=sessions,
    )


def _claims(text: str | None) -> list[str]:
    try:
        values = json.loads(text or "[]")
    except ValueError:
        return []
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


class _Current:
    """This process's membership, read again at most once per ``PUBLISH_CHECK_SECONDS``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = Membership()
        self._read_at = float("-inf")
        self._interval = 0.0

    def get(self) -> Membership:
        interval = float(current_app.config["PUBLISH_CHECK_SECONDS"])
        self._interval = interval
        if time.monotonic() - self._read_at >= interval:
            with self._lock:
                if time.monotonic() - self._read_at >= interval:
                    self._value = load_membership()
                    self._read_at = time.monotonic()
        return self._value

    def peek(self) -> Membership | None:
        """The membership as last read, with no app context; None when due a new read."""
        if time.monotonic() - self._read_at >= self._interval:
            return None
        return self._value

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


current_membership = _Current()
