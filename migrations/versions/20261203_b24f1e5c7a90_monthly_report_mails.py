"""monthly report by email: the stakeholder groups that receive it, one row per group, month
and recipient

Revision ID: b24f1e5c7a90
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


# revision identifiers, used by Alembic.
revision = 'b24f1e5c7a90'
down_revision = 'c4e8a1f6b752'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_report_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["stakeholder_groups.id"],
            name=op.f("fk_monthly_report_groups_group_id_stakeholder_groups"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report_groups")),
        sa.UniqueConstraint("group_id", name=op.f("uq_monthly_report_groups_group_id")),
    )
    op.create_table(
        "monthly_report_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", app.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", app.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["stakeholder_groups.id"],
            name=op.f("fk_monthly_report_mails_group_id_stakeholder_groups"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report_mails")),
        sa.UniqueConstraint(
            "group_id", "month", "email", name=op.f("uq_monthly_report_mails_group_id_month_email")
        ),
    )


def downgrade():
    op.drop_table("monthly_report_mails")
    op.drop_table("monthly_report_groups")
