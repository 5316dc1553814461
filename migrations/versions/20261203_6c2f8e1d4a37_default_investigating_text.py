"""message templates: the default investigating text says other services work normally only
when they do (a stored default the admin never edited takes the new text; edited ones stay)

Revision ID: 6c2f8e1d4a37
Revises: 5b1e0c7d9a42
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c2f8e1d4a37'
down_revision = '5b1e0c7d9a42'
branch_labels = None
depends_on = None

_NEXT = "We will post the next update by {{ next_update_at }}."
OLD = (
    "We are investigating problems with **{{ affected_components }}**. "
    "Other services are working normally.\n\n"
    "Workaround: none known yet.\n\n" + _NEXT
)
NEW = (
    "We are investigating problems with **{{ affected_components }}**."
    "{% if not also_affected %} Other services are working normally.{% endif %}\n\n"
    "Workaround: none known yet.\n\n" + _NEXT
)
templates = sa.table(
    "message_templates",
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("audience", sa.String),
    sa.column("body", sa.Text),
)


def _replace(old, new):
    op.execute(
        templates.update()
        .where(
            templates.c.kind == "incident",
            templates.c.state == "investigating",
            templates.c.audience == "external",
            templates.c.body == old,
        )
        .values(body=new)
    )


def upgrade():
    _replace(OLD, NEW)


def downgrade():
    _replace(NEW, OLD)
