"""Heartbeats the worker writes, so the admin can say when it was last seen."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sqltypes import utcnow


class WorkerHeartbeat(db.Model):
    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker: Mapped[str] = mapped_column(String(200), unique=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<WorkerHeartbeat {self.worker} {self.last_seen_at}>"
