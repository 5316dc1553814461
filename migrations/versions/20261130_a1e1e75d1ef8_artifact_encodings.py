"""artifact encodings: gzip and brotli bytes stored beside each published body

Revision ID: a1e1e75d1ef8
Revises: 7d3e9a1c5b24
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1e1e75d1ef8'
down_revision = '7d3e9a1c5b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('published_artifacts') as batch_op:
        batch_op.add_column(sa.Column('body_gzip', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('body_br', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('published_artifacts') as batch_op:
        batch_op.drop_column('body_br')
        batch_op.drop_column('body_gzip')
