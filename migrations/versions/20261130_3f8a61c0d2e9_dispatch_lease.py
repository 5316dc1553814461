"""dispatch lease: owner, lease_until, lock_key, the batch in flight and possible duplicates

Revision ID: 3f8a61c0d2e9
Revises: a1e1e75d1ef8
Create Date: 2026-11-30 11:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '3f8a61c0d2e9'
down_revision = 'a1e1e75d1ef8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dispatches') as batch:
        batch.add_column(sa.Column('owner', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('lock_key', sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column('in_flight', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(
            sa.Column('possible_duplicates', sa.Integer(), nullable=False, server_default='0')
        )
    op.create_index(
        'ix_dispatches_status_lease_until', 'dispatches', ['status', 'lease_until']
    )


def downgrade():
    op.drop_index('ix_dispatches_status_lease_until', table_name='dispatches')
    with op.batch_alter_table('dispatches') as batch:
        batch.drop_column('possible_duplicates')
        batch.drop_column('in_flight')
        batch.drop_column('lock_key')
        batch.drop_column('lease_until')
        batch.drop_column('owner')
