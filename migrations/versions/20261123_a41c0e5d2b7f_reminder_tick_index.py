"""reminder tick index: open incidents by due time

Revision ID: a41c0e5d2b7f
Revises: bc763abfa97d
Create Date: 2026-11-23 21:05:00

"""
from alembic import op


revision = 'a41c0e5d2b7f'
down_revision = 'bc763abfa97d'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_incidents_next_update_due_at', table_name='incidents')
    op.drop_index('ix_incidents_resolved_at', table_name='incidents')
    op.create_index(
        'ix_incidents_resolved_at_due', 'incidents', ['resolved_at', 'next_update_due_at']
    )


def downgrade():
    op.drop_index('ix_incidents_resolved_at_due', table_name='incidents')
    op.create_index('ix_incidents_resolved_at', 'incidents', ['resolved_at'])
    op.create_index('ix_incidents_next_update_due_at', 'incidents', ['next_update_due_at'])
