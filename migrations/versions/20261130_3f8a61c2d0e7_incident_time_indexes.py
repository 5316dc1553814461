"""incident time indexes: history months, past days and open incidents by range

Revision ID: 3f8a61c2d0e7
Revises: b7c41e9a2d58
Create Date: 2026-11-30 11:20:00

"""
from alembic import op


revision = '3f8a61c2d0e7'
down_revision = 'b7c41e9a2d58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_incidents_started_at', 'incidents', ['started_at'])
    op.create_index('ix_incidents_state_started_at', 'incidents', ['state', 'started_at'])


def downgrade():
    op.drop_index('ix_incidents_state_started_at', table_name='incidents')
    op.drop_index('ix_incidents_started_at', table_name='incidents')
