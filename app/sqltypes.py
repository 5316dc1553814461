"""Column types and helpers shared by the models: UTC datetimes, enums, public ids."""

import secrets
import string
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_ID_ALPHABET = string.ascii_lowercase + string.digits


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """A short random id like Statuspage's ("p31zjtct2jer"); database keys never leave."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored in UTC on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Crier stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_cls):
    """A portable enum column type: VARCHAR plus a CHECK constraint of the values."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


def public_id_column():
    return mapped_column(String(12), unique=True, default=new_public_id)
