"""component changes: the outbox of component_update webhooks; a dispatch of a component change

Revision ID: 5b1e0c7d9a42
Revises: 9c4d2a7e1b83
Create Date: 2026-11-30 12:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '5b1e0c7d9a42'
down_revision = '9c4d2a7e1b83'
branch_labels = None
depends_on = None

_STATUSES = (
    'operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'
)


def _status(name):
    return sa.Enum(*_STATUSES, name=name, native_enum=False, create_constraint=True)


def upgrade():
    op.create_table(
        'component_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=12), nullable=False),
        sa.Column('component_id', sa.Integer(), nullable=False),
        sa.Column('old_status', _status('old_status'), nullable=False),
        sa.Column('new_status', _status('new_status'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['component_id'], ['components.id'], ondelete='CASCADE',
            name=op.f('fk_component_changes_component_id_components'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_component_changes')),
        sa.UniqueConstraint('public_id', name=op.f('uq_component_changes_public_id')),
    )
    op.create_index(
        op.f('ix_component_changes_component_id'), 'component_changes', ['component_id']
    )
    with op.batch_alter_table('dispatches') as batch:
        batch.alter_column('update_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('component_change_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_dispatches_component_change_id_component_changes'),
            'component_changes', ['component_change_id'], ['id'], ondelete='CASCADE',
        )
        batch.create_index(
            op.f('ix_dispatches_component_change_id'), ['component_change_id']
        )
        batch.create_check_constraint(
            'source', sa.text('(update_id IS NULL) <> (component_change_id IS NULL)')
        )


def downgrade():
    op.execute('DELETE FROM dispatches WHERE update_id IS NULL')
    with op.batch_alter_table('dispatches') as batch:
        batch.drop_constraint(op.f('ck_dispatches_source'), type_='check')
        batch.drop_index(op.f('ix_dispatches_component_change_id'))
        batch.drop_constraint(
            op.f('fk_dispatches_component_change_id_component_changes'), type_='foreignkey'
        )
        batch.drop_column('component_change_id')
        batch.alter_column('update_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f('ix_component_changes_component_id'), table_name='component_changes')
    op.drop_table('component_changes')
