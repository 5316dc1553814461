"""settings: the words public text must not say and the shape of a ticket id (the checks of
every text); message templates: the defaults claim only what the facts give, and leave no empty
"- Cause:" lines or dead postmortem link (a stored default the admin never edited takes the new
text; edited ones stay)

Revision ID: 8e3b5d1f2a60
Revises: 3e7a1c9b5d20
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e3b5d1f2a60'
down_revision = '3e7a1c9b5d20'
branch_labels = None
depends_on = None

TICKET_PATTERN = r"\b[A-Z][A-Z0-9]{1,9}-\d+\b"
# (kind, state, audience, the old default body, the new one)
CHANGED = [
    (
        'incident',
        'investigating',
        'internal',
        '**{{ severity }}**, public impact {{ impact }}, started {{ started_at }}.\n\n- Affected: {{ affected_components }}\n- Comms Lead: {{ lead_name }} · Incident Commander: {{ commander_name }}\n- What we know:\n- What we are doing:\n\nCustomer-facing page: {{ incident_url }}. Next update by {{ next_update_at }}.',
        '**{{ severity }}**, public impact {{ impact }}, started {{ started_at }}.\n\n- Affected: {{ affected_components }}\n- Comms Lead: {{ lead_name }} · Incident Commander: {{ commander_name }}\n\nCustomer-facing page: {{ incident_url }}.\nNext update by {{ next_update_at }}.',
    ),
    (
        'incident',
        'identified',
        'internal',
        'Cause identified for {{ affected_components }} ({{ duration }} so far).\n\n- Cause:\n- Fix in progress:\n- Expected recovery:\n\nLead: {{ lead_name }} · IC: {{ commander_name }}. Next update by {{ next_update_at }}.',
        'Cause identified for {{ affected_components }} ({{ duration }} so far).\n\nLead: {{ lead_name }} · IC: {{ commander_name }}.\nNext update by {{ next_update_at }}.',
    ),
    (
        'incident',
        'monitoring',
        'external',
        'A fix is in place for **{{ affected_components }}** and we are watching the results. You should see things working normally again.\n\nWe will post the next update by {{ next_update_at }}.',
        'A fix is in place for **{{ affected_components }}** and we are watching the results.{% if not still_affected %} You should see things working normally again.{% else %} {{ still_affected }} may still show problems.{% endif %}\n\nWe will post the next update by {{ next_update_at }}.',
    ),
    (
        'incident',
        'monitoring',
        'internal',
        'Fix deployed; monitoring {{ affected_components }}.\n\n- What changed:\n- What we watch:\n\nNext update by {{ next_update_at }}.',
        'Fix deployed; monitoring {{ affected_components }}.\n\nNext update by {{ next_update_at }}.',
    ),
    (
        'incident',
        'resolved',
        'external',
        'This incident is resolved. **{{ affected_components }}** were affected from {{ started_at }} to {{ resolved_at }} ({{ duration }}).\n\nNo data was lost. We will share what happened and what we are changing so it does not happen again.',
        'This incident is resolved. It lasted {{ duration }} and ended at {{ resolved_at }}.\n\nAffected: {{ affected_since }}.\n\nWe will share what happened and what we are changing so it does not happen again.',
    ),
    (
        'incident',
        'resolved',
        'internal',
        'Resolved after {{ duration }} ({{ started_at }} to {{ resolved_at }}).\n\n- Data loss: none known\n- Follow-ups:\n- Postmortem owner:\n',
        'Resolved after {{ duration }} ({{ started_at }} to {{ resolved_at }}).\n\nAffected: {{ affected_since }}.',
    ),
    (
        'incident',
        'postmortem',
        'external',
        'We have published our review of this incident: what happened, why, and what we are changing so it does not happen again.\n\n[Read the postmortem](https://)',
        'We have published our review of this incident: what happened, why, and what we are changing so it does not happen again.\n\n[Read the postmortem]({{ postmortem_url }})',
    ),
    (
        'incident',
        'postmortem',
        'internal',
        'The postmortem for {{ incident_title }} ({{ duration }}) is ready.\n\n- Document:\n- Action items and owners:\n',
        'The postmortem for {{ incident_title }} ({{ duration }}) is ready.\n\nDocument: {{ postmortem_url }}',
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
    with op.batch_alter_table("settings") as batch_op:
        batch_op.add_column(
            sa.Column("blocked_words", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "ticket_pattern",
                sa.String(length=200),
                nullable=False,
                server_default=TICKET_PATTERN,
            )
        )
    _replace(True)


def downgrade():
    _replace(False)
    with op.batch_alter_table("settings") as batch_op:
        batch_op.drop_column("ticket_pattern")
        batch_op.drop_column("blocked_words")
