"""message templates: the maintenance texts the tick posts on its own (completed) and the
cancel text say facts only, no instruction to the lead that would reach stakeholders as it
stands (a stored default the admin never edited takes the new text; edited ones stay)

Revision ID: a1d4c7e9f203
Revises: 8e3b5d1f2a60
Create Date: 2026-12-03 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1d4c7e9f203'
down_revision = '8e3b5d1f2a60'
branch_labels = None
depends_on = None

# (kind, state, audience, the old default body, the new one)
CHANGED = [
    (
        'maintenance',
        'completed',
        'internal',
        'Completed at {{ resolved_at }}. Note any follow-ups here.',
        'Completed at {{ resolved_at }} on {{ affected_components }}.',
    ),
    (
        'maintenance',
        'cancelled',
        'internal',
        'Cancelled by {{ lead_name }}. Say why and whether it will be rescheduled.',
        'Cancelled by {{ lead_name }}.',
    ),
]
templates = sa.table(
    "message_templates",
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("audience", sa.String),
    sa.column("body", sa.Text),
)


def _replace(forward):
    for kind, state, audience, old, new in CHANGED:
        before, after = (old, new) if forward else (new, old)
        op.execute(
            templates.update()
            .where(
                templates.c.kind == kind,
                templates.c.state == state,
                templates.c.audience == audience,
                templates.c.body == before,
            )
            .values(body=after)
        )


def upgrade():
    _replace(True)


def downgrade():
    _replace(False)
