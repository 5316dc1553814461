"""alerts: what an alert does per component, and the state of each Alertmanager alert

Revision ID: b7c41e9a2d58
Revises: 3a9f61c2e8d4
Create Date: 2026-11-30 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e9a2d58'
down_revision = '3a9f61c2e8d4'
branch_labels = None
depends_on = None

STATUSES = ('operational', 'degraded_performance', 'partial_outage', 'major_outage',
            'under_maintenance')


def upgrade():
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_mode', sa.String(length=9),
                                      server_default='suggest', nullable=False))
    op.create_table(
        'alert_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('component_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('firing', 'resolved', name='alertstatus', native_enum=False,
                                    create_constraint=True, length=8), nullable=False),
        sa.Column('severity', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.String(length=200), nullable=False),
        sa.Column('group_key', sa.String(length=500), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('previous_status', sa.Enum(*STATUSES, name='componentstatus', native_enum=False,
                                             create_constraint=True, length=20), nullable=True),
        sa.Column('incident_public_id', sa.String(length=40), nullable=True),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['component_id'], ['components.id'],
                                name=op.f('fk_alert_states_component_id_components'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_states')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_alert_states_fingerprint')),
    )
    with op.batch_alter_table('alert_states', schema=None) as batch_op:
        batch_op.create_index('ix_alert_states_component_status', ['component_id', 'status'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('alert_states', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_states_component_status')
    op.drop_table('alert_states')
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.drop_column('alert_mode')
