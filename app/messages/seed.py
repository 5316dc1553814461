"""Message templates: seeding the defaults."""

from app.extensions import db
from app.messages.defaults import DEFAULT_TEMPLATES
from app.models import MessageTemplate


def seed_default_templates() -> int:
    """Add any missing default template; returns how many were added. Does not commit."""
    existing = {
        (t.kind, t.state, t.audience)
        for t in db.session.scalars(db.select(MessageTemplate).filter_by(name="Default"))
    }
    added = 0
    for kind, table in DEFAULT_TEMPLATES.items():
        for (state, audience), (subject, body) in table.items():
            if (kind, state, audience) in existing:
                continue
            db.session.add(
                MessageTemplate(
                    name="Default",
                    kind=kind,
                    state=state,
                    audience=audience,
                    subject=subject,
                    body=body,
                )
            )
            added += 1
    return added
