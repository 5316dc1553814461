"""Merge the migration heads of the text, edge and secrets branches (no schema change).

Revision ID: f0f0a1b2c3d4
Revises: 2cfcff277932, 5e7b2c9d4a10, ed640b8309e0
"""

revision = "f0f0a1b2c3d4"
down_revision = ("2cfcff277932", "5e7b2c9d4a10", "ed640b8309e0")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
