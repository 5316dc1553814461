"""incidents: impact start, detection, engagement and mitigation moments; components: an
availability target

Revision ID: 5d8c2a7e4f19
Revises: a1d4c7e9f203
Create Date: 2026-12-03 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d8c2a7e4f19'
down_revision = 'a1d4c7e9f203'
branch_labels = None
depends_on = None

MOMENTS = ("impact_started_at", "detected_at", "engaged_at", "mitigated_at")


def upgrade():
    with op.batch_alter_table("incidents") as batch_op:
        for name in MOMENTS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("components") as batch_op:
        batch_op.add_column(sa.Column("slo_target", sa.Float(), nullable=True))
    # Past incidents: what Crier knew then. Impact and detection at the declaration,
    # mitigation at the first monitoring update (else the resolution); engagement unknown.
    op.execute(
        "UPDATE incidents SET impact_started_at = started_at, detected_at = started_at, "
        "mitigated_at = COALESCE(monitoring_at, resolved_at) WHERE kind = 'incident'"
    )


def downgrade():
    with op.batch_alter_table("components") as batch_op:
        batch_op.drop_column("slo_target")
    with op.batch_alter_table("incidents") as batch_op:
        for name in reversed(MOMENTS):
            batch_op.drop_column(name)
