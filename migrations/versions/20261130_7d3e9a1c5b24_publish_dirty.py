"""publish dirty: what changed and is not yet published (the publisher's outbox)

Revision ID: 7d3e9a1c5b24
Revises: 5e7b2c9d4a10
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7d3e9a1c5b24'
down_revision = '5e7b2c9d4a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publish_dirty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publish_dirty'))
    )
    # History moved from numbered pages to months (/history/2026/11): the stored numbered
    # pages go, so their URLs redirect to /history (the next publish writes the months).
    op.execute(
        "DELETE FROM published_artifacts "
        "WHERE path LIKE '/history/%' OR path LIKE '/components/%/history/%'"
    )


def downgrade():
    op.drop_table('publish_dirty')
