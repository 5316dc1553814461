"""webhook and Slack channels: hook subscribers, their deliveries, a group's Slack webhook

Revision ID: 9c4d2a7e1b83
Revises: 3f8a61c2d0e7
Create Date: 2026-11-30 11:45:00

"""
import sqlalchemy as sa
from alembic import op


revision = '9c4d2a7e1b83'
down_revision = '3f8a61c2d0e7'
branch_labels = None
depends_on = None

_CHANNELS = ('email', 'webhook', 'slack')


def _channel(values):
    return sa.Enum(*values, name='channel', native_enum=False, create_constraint=True)


def upgrade():
    with op.batch_alter_table('dispatches') as batch:
        batch.drop_constraint(op.f('ck_dispatches_channel'), type_='check')
        batch.alter_column(
            'channel', existing_type=sa.String(length=5), type_=sa.String(length=7)
        )
        batch.create_check_constraint(
            'channel', sa.column('channel').in_(_CHANNELS)
        )
    with op.batch_alter_table('stakeholder_groups') as batch:
        batch.add_column(sa.Column('slack_webhook_url', sa.String(length=500), nullable=True))
    op.create_table(
        'hook_subscribers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', _channel(_CHANNELS), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=True),
        sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled_reason', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hook_subscribers')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_hook_subscribers_token_hash')),
        sa.UniqueConstraint(
            'confirm_token_hash', name=op.f('uq_hook_subscribers_confirm_token_hash')
        ),
    )
    op.create_index(
        op.f('ix_hook_subscribers_confirmed_at'), 'hook_subscribers', ['confirmed_at']
    )
    op.create_table(
        'hook_subscriber_components',
        sa.Column('hook_subscriber_id', sa.Integer(), nullable=False),
        sa.Column('component_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['hook_subscriber_id'], ['hook_subscribers.id'], ondelete='CASCADE',
            name=op.f('fk_hook_subscriber_components_hook_subscriber_id_hook_subscribers'),
        ),
        sa.ForeignKeyConstraint(
            ['component_id'], ['components.id'], ondelete='CASCADE',
            name=op.f('fk_hook_subscriber_components_component_id_components'),
        ),
        sa.PrimaryKeyConstraint(
            'hook_subscriber_id', 'component_id', name=op.f('pk_hook_subscriber_components')
        ),
    )
    op.create_index(
        op.f('ix_hook_subscriber_components_component_id'),
        'hook_subscriber_components', ['component_id'],
    )
    op.create_table(
        'hook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dispatch_id', sa.Integer(), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column(
            'status',
            sa.Enum('pending', 'sent', 'failed', name='deliverystatus', native_enum=False,
                    create_constraint=True),
            nullable=False,
        ),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['dispatch_id'], ['dispatches.id'], ondelete='CASCADE',
            name=op.f('fk_hook_deliveries_dispatch_id_dispatches'),
        ),
        sa.ForeignKeyConstraint(
            ['subscriber_id'], ['hook_subscribers.id'], ondelete='CASCADE',
            name=op.f('fk_hook_deliveries_subscriber_id_hook_subscribers'),
        ),
        sa.ForeignKeyConstraint(
            ['group_id'], ['stakeholder_groups.id'], ondelete='CASCADE',
            name=op.f('fk_hook_deliveries_group_id_stakeholder_groups'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hook_deliveries')),
        sa.UniqueConstraint(
            'dispatch_id', 'subscriber_id', 'group_id',
            name=op.f('uq_hook_deliveries_dispatch_id_subscriber_id_group_id'),
        ),
    )
    op.create_index(op.f('ix_hook_deliveries_dispatch_id'), 'hook_deliveries', ['dispatch_id'])


def downgrade():
    op.drop_index(op.f('ix_hook_deliveries_dispatch_id'), table_name='hook_deliveries')
    op.drop_table('hook_deliveries')
    op.drop_index(
        op.f('ix_hook_subscriber_components_component_id'),
        table_name='hook_subscriber_components',
    )
    op.drop_table('hook_subscriber_components')
    op.drop_index(op.f('ix_hook_subscribers_confirmed_at'), table_name='hook_subscribers')
    op.drop_table('hook_subscribers')
    with op.batch_alter_table('stakeholder_groups') as batch:
        batch.drop_column('slack_webhook_url')
    op.execute("DELETE FROM dispatches WHERE channel <> 'email'")
    with op.batch_alter_table('dispatches') as batch:
        batch.drop_constraint(op.f('ck_dispatches_channel'), type_='check')
        batch.alter_column(
            'channel', existing_type=sa.String(length=7), type_=sa.String(length=5)
        )
        batch.create_check_constraint('channel', sa.column('channel').in_(('email',)))
