"""published artifacts and the publish counter

Revision ID: c4e1a7d2b9f3
Revises: a41c0e5d2b7f
Create Date: 2026-11-23 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d2b9f3'
down_revision = 'a41c0e5d2b7f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('published_artifacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('gone', sa.Boolean(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('modified_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_artifacts')),
    sa.UniqueConstraint('path', name=op.f('uq_published_artifacts_path'))
    )
    with op.batch_alter_table('published_artifacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_artifacts_generation'), ['generation'], unique=False)

    op.create_table('publish_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publish_state'))
    )


def downgrade():
    op.drop_table('publish_state')
    with op.batch_alter_table('published_artifacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_artifacts_generation'))

    op.drop_table('published_artifacts')
