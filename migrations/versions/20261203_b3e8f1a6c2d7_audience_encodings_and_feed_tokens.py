"""audience artifacts of every kind (pages, feeds, JSON), stored precompressed;
feed tokens for viewers' feed readers and scripts

Revision ID: b3e8f1a6c2d7
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


# revision identifiers, used by Alembic.
revision = 'b3e8f1a6c2d7'
down_revision = 'b24f1e5c7a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audience_artifacts") as batch:
        batch.add_column(
            sa.Column(
                "content_type",
                sa.String(length=100),
                nullable=False,
                server_default="text/html; charset=utf-8",
            )
        )
        batch.add_column(sa.Column("body_gzip", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("body_br", sa.LargeBinary(), nullable=True))
    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=12), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", app.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_tokens")),
        sa.UniqueConstraint("public_id", name=op.f("uq_feed_tokens_public_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_tokens_token_hash")),
    )
    op.create_index(op.f("ix_feed_tokens_email"), "feed_tokens", ["email"])
    op.create_index(op.f("ix_feed_tokens_revoked_at"), "feed_tokens", ["revoked_at"])


def downgrade():
    op.drop_index(op.f("ix_feed_tokens_revoked_at"), table_name="feed_tokens")
    op.drop_index(op.f("ix_feed_tokens_email"), table_name="feed_tokens")
    op.drop_table("feed_tokens")
    with op.batch_alter_table("audience_artifacts") as batch:
        batch.drop_column("body_br")
        batch.drop_column("body_gzip")
        batch.drop_column("content_type")
