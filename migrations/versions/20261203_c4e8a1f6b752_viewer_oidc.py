"""OpenID Connect viewer sign-ins under way, and the claim values of a session

Revision ID: c4e8a1f6b752
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


# revision identifiers, used by Alembic.
revision = 'c4e8a1f6b752'
down_revision = 'c4e8a1f6b952'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "viewer_oidc_starts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_path", sa.String(length=512), nullable=True),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", app.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_viewer_oidc_starts")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_viewer_oidc_starts_state_hash")),
    )
    op.create_index(
        op.f("ix_viewer_oidc_starts_created_at"), "viewer_oidc_starts", ["created_at"]
    )
    with op.batch_alter_table("viewer_sessions") as batch:
        batch.add_column(sa.Column("claims", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("viewer_sessions") as batch:
        batch.drop_column("claims")
    op.drop_index(op.f("ix_viewer_oidc_starts_created_at"), table_name="viewer_oidc_starts")
    op.drop_table("viewer_oidc_starts")
