"""Audiences: who sees which private components and incidents beyond the public floor."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db
from app.models.components import Component, ComponentGroup
from app.models.incidents import Incident
from app.sqltypes import enum_type, public_id_column, utcnow


class AudienceKind(StrEnum):
    customer = "customer"
    internal = "internal"  # also reads the internal text


class AdmissionKind(StrEnum):
    """How a viewer comes to belong to an audience."""

    email = "email"  # one address, listed by hand
    domain = "domain"  # every address at a domain (never a free-mail one)
    claim = "claim"  # an OpenID Connect claim value (Statuspage's external_identifier)
    network = "network"  # an IP range, as CIDR


audience_components = Table(
    "audience_components",
    db.metadata,
    Column("audience_id", ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "component_id",
        ForeignKey("components.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

audience_groups = Table(
    "audience_groups",
    db.metadata,
    Column("audience_id", ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "group_id",
        ForeignKey("component_groups.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

# Audiences the lead added to an incident by hand, beyond those its components bring.
incident_audiences = Table(
    "incident_audiences",
    db.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "audience_id", ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class PageAudience(db.Model):
    """A named audience (``Audience`` is the template enum's name): the components and groups
    it sees beyond the public ones, and who belongs to it."""

    __tablename__ = "audiences"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[AudienceKind] = mapped_column(
        enum_type(AudienceKind), default=AudienceKind.customer
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    components: Mapped[list[Component]] = relationship(
        secondary=audience_components, order_by=Component.name
    )
    groups: Mapped[list[ComponentGroup]] = relationship(
        secondary=audience_groups, order_by=ComponentGroup.name
    )
    admissions: Mapped[list["AudienceAdmission"]] = relationship(
        back_populates="audience",
        cascade="all, delete-orphan",
        order_by="[AudienceAdmission.kind, AudienceAdmission.value]",
    )
    incidents: Mapped[list[Incident]] = relationship(
        secondary=incident_audiences,
        backref=backref("added_audiences", order_by="PageAudience.name"),
    )

    @property
    def is_internal(self) -> bool:
        return self.kind == AudienceKind.internal

    def admitted(self, kind: AdmissionKind) -> list[str]:
        return [a.value for a in self.admissions if a.kind == kind]

    def __repr__(self) -> str:
        return f"<PageAudience {self.name!r} {self.kind}>"


class AudienceAdmission(db.Model):
    """One way into an audience: an email, a domain, a claim value or an IP range."""

    __tablename__ = "audience_admissions"
    __table_args__ = (
        UniqueConstraint("audience_id", "kind", "value"),
        # Sign-in asks "which audiences admit this address/domain/claim": one index range.
        Index("ix_audience_admissions_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id", ondelete="CASCADE"))
    kind: Mapped[AdmissionKind] = mapped_column(enum_type(AdmissionKind))
    value: Mapped[str] = mapped_column(String(255))

    audience: Mapped[PageAudience] = relationship(back_populates="admissions")

    def __repr__(self) -> str:
        return f"<AudienceAdmission {self.kind} {self.value!r}>"


class AudienceArtifact(db.Model):
    """A page as a set of audiences sees it, published once per set (``key``: their public
    ids, sorted, comma-separated); never served to anyone outside the set. Locales (issue
    #26) will add a ``locale`` column to the unique (key, path): audience set x locale x path."""

    __tablename__ = "audience_artifacts"
    __table_args__ = (UniqueConstraint("key", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(2000))
    path: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="text/html; charset=utf-8")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # Compressed once at publish, as the public artifacts are (None: too small to gain).
    body_gzip: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_br: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<AudienceArtifact {self.key} {self.path}>"
