"""maintenance calendars and reminders: each window's iCalendar SEQUENCE, its reminders
before the start (Statuspage's scheduled_remind_prior), and the notices the tick sent

Revision ID: c4e8a1f6b925
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


# revision identifiers, used by Alembic.
revision = 'c4e8a1f6b925'
down_revision = 'b3e8f1a6c2d7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(
            sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("auto_notify_end", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("remind_prior", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("remind_minutes", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("reminded_at", app.sqltypes.UTCDateTime(), nullable=True)
        )
    # One switch governed both the start and the completion: existing windows keep it for both.
    op.execute("UPDATE incidents SET auto_notify_end = auto_notify")
    op.create_table(
        "maintenance_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("starts_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"],
            name=op.f("fk_maintenance_notices_incident_id_incidents"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"],
            name=op.f("fk_maintenance_notices_update_id_updates"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_notices")),
        sa.UniqueConstraint(
            "incident_id", "kind", "lead_minutes", "starts_at",
            name=op.f("uq_maintenance_notices_incident_id_kind_lead_minutes_starts_at"),
        ),
    )


def downgrade():
    op.drop_table("maintenance_notices")
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("remind_minutes")
        batch_op.drop_column("remind_prior")
        batch_op.drop_column("auto_notify_end")
        batch_op.drop_column("calendar_sequence")
