"""Feed tokens: a viewer's revocable key for feed readers and scripts that cannot sign in."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sqltypes import public_id_column, utcnow


class FeedToken(db.Model):
    """One token in a feed or JSON address (``?token=``); only its SHA-256 is stored. It opens
    what its viewer's audiences see, in feeds and JSON only, until revoked."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    email: Mapped[str] = mapped_column(String(254), index=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<FeedToken {self.public_id} {self.email}>"
