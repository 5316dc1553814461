"""publish failures: public paths the last publish could not render

Revision ID: 2cfcff277932
Revises: c4e1a7d2b9f3
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '2cfcff277932'
down_revision = 'c4e1a7d2b9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publish_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publish_failures')),
    sa.UniqueConstraint('path', name=op.f('uq_publish_failures_path'))
    )


def downgrade():
    op.drop_table('publish_failures')
