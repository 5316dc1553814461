"""The monthly report by email: the stakeholder groups that receive it, and one row per group,
month and recipient, so each recipient gets each month's report once."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.subscribers import StakeholderGroup
from app.sqltypes import utcnow


class MonthlyReportGroup(db.Model):
    """A stakeholder group an admin chose to receive last month's report on the 1st."""

    __tablename__ = "monthly_report_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder_groups.id", ondelete="CASCADE"), unique=True
    )
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[StakeholderGroup] = relationship()

    def __repr__(self) -> str:
        return f"<MonthlyReportGroup {self.group_id}>"


class MonthlyReportMail(db.Model):
    """One month's report to one recipient of a group. The unique row is the claim: of two
    workers ticking at once, one inserts it; the lease says which one sends it."""

    __tablename__ = "monthly_report_mails"
    __table_args__ = (UniqueConstraint("group_id", "month", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("stakeholder_groups.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the month reported on
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The run sending it ("host:pid:uuid") until ``lease_until``; a dead run's lease lapses.
    owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<MonthlyReportMail {self.month} {self.email} sent={self.sent_at}>"
