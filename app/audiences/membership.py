"""Which audiences an address belongs to, read once per interval into each process.

The sets of audiences viewers can have are finite: every listed address, and every listed
domain, names one. The publisher renders a page once per set; a web process finds a viewer's
set with a dictionary lookup (``Membership.key_for``), so a read costs no query, and a member
removed is locked out of their audience's page within ``PUBLISH_CHECK_SECONDS``.
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app

from app.extensions import db
from app.models import AdmissionKind, AudienceAdmission, PageAudience


def domain_of(email: str) -> str:
    """The domain of a normalised address, as admissions store it (IDNA, lower case)."""
    domain = email.rsplit("@", 1)[-1].lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


@dataclass(frozen=True)
class Membership:
    emails: dict = field(default_factory=dict)  # address -> frozenset of audience public ids
    domains: dict = field(default_factory=dict)  # domain -> frozenset of audience public ids

    def ids_for(self, email: str) -> frozenset[str]:
        return self.emails.get(email, frozenset()) | self.domains.get(domain_of(email), frozenset())

    def key_for(self, email: str) -> str:
        """The key of this address's set of audiences; "" for none (the public page)."""
        return ",".join(sorted(self.ids_for(email)))

    def keys(self) -> set[str]:
        """Every set of audiences a viewer can have."""
        found = {",".join(sorted(ids)) for ids in self.domains.values()}
        found |= {self.key_for(email) for email in self.emails}
        return {key for key in found if key}


def load_membership() -> Membership:
    """Every address and domain audiences admit (one query)."""
    query = (
        db.select(AudienceAdmission.kind, AudienceAdmission.value, PageAudience.public_id)
        .join(PageAudience)
        .where(AudienceAdmission.kind.in_([AdmissionKind.email, AdmissionKind.domain]))
    )
    emails, domains = defaultdict(set), defaultdict(set)
    for kind, value, public_id in db.session.execute(query):
        (emails if kind == AdmissionKind.email else domains)[value].add(public_id)
    return Membership(
        emails={k: frozenset(v) for k, v in emails.items()},
        domains={k: frozenset(v) for k, v in domains.items()},
    )


class _Current:
    """This process's membership, read again at most once per ``PUBLISH_CHECK_SECONDS``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = Membership()
        self._read_at = float("-inf")

    def get(self) -> Membership:
        interval = float(current_app.config["PUBLISH_CHECK_SECONDS"])
        if time.monotonic() - self._read_at >= interval:
            with self._lock:
                if time.monotonic() - self._read_at >= interval:
                    self._value = load_membership()
                    self._read_at = time.monotonic()
        return self._value

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


current_membership = _Current()
