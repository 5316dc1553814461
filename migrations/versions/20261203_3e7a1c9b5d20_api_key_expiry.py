"""api keys: an optional expiry

Revision ID: 3e7a1c9b5d20
Revises: 4b7e2f9a1c65
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e7a1c9b5d20'
down_revision = '4b7e2f9a1c65'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_column("expires_at")
