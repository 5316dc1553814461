"""settings: allow outbound requests to private networks (off by default)

Revision ID: ed640b8309e0
Revises: c4e1a7d2b9f3
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ed640b8309e0'
down_revision = 'c4e1a7d2b9f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_private_outbound', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('settings', schema=None) as batch_op:
        batch_op.drop_column('allow_private_outbound')
