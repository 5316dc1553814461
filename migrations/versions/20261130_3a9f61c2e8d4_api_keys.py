"""api_keys: named, scoped keys for the management API, stored as sha256 hashes

Revision ID: 3a9f61c2e8d4
Revises: 3f8a61c0d2e9
Create Date: 2026-11-30 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a9f61c2e8d4'
down_revision = '3f8a61c0d2e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('scope', sa.Enum('viewer', 'lead', 'admin', name='role', native_enum=False,
                                   create_constraint=True, length=6), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_api_keys_created_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
        sa.UniqueConstraint('name', name=op.f('uq_api_keys_name')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_api_keys_secret_hash')),
    )


def downgrade():
    op.drop_table('api_keys')
