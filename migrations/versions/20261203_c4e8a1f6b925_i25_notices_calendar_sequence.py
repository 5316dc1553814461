"""maintenance calendars: each window's iCalendar SEQUENCE

Revision ID: c4e8a1f6b925
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f6b925'
down_revision = 'a7d3c9e2b410'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(
            sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.drop_column("calendar_sequence")
