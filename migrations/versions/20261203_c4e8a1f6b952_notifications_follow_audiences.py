"""notifications follow audiences: a subscriber made from a viewer's page, and a
stakeholder group tied to an audience

Revision ID: c4e8a1f6b952
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


revision = 'c4e8a1f6b952'
down_revision = 'a7d3c9e2b410'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscribers') as batch:
        batch.add_column(sa.Column('viewer_at', app.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('stakeholder_groups') as batch:
        batch.add_column(sa.Column('audience_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_stakeholder_groups_audience_id_audiences'),
            'audiences', ['audience_id'], ['id'], ondelete='SET NULL',
        )
        batch.create_index(op.f('ix_stakeholder_groups_audience_id'), ['audience_id'])


def downgrade():
    with op.batch_alter_table('stakeholder_groups') as batch:
        batch.drop_index(op.f('ix_stakeholder_groups_audience_id'))
        batch.drop_constraint(
            op.f('fk_stakeholder_groups_audience_id_audiences'), type_='foreignkey'
        )
        batch.drop_column('audience_id')
    with op.batch_alter_table('subscribers') as batch:
        batch.drop_column('viewer_at')
