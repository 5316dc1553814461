"""i23-pages: audience artifacts of every kind (pages, feeds, JSON), stored precompressed

Revision ID: b3e8f1a6c2d7
Revises: a7d3c9e2b410
Create Date: 2026-12-03 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e8f1a6c2d7'
down_revision = 'a7d3c9e2b410'
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


def downgrade():
    with op.batch_alter_table("audience_artifacts") as batch:
        batch.drop_column("body_br")
        batch.drop_column("body_gzip")
        batch.drop_column("content_type")
