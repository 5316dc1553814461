"""publish state: a token per generation and the one before (a mirror sees a restore); duration

Each generation's random token lets a mirror tell a restored database from the one it followed;
the last publish's duration is for /metrics.

Revision ID: 4b7e2f9a1c65
Revises: 6c2f8e1d4a37
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b7e2f9a1c65'
down_revision = '6c2f8e1d4a37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publish_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('previous_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('duration_seconds', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('publish_state', schema=None) as batch_op:
        batch_op.drop_column('duration_seconds')
        batch_op.drop_column('previous_token')
        batch_op.drop_column('token')
