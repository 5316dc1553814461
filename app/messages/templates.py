"""Editing message templates: list, create, edit, delete (each checked by the sandbox)."""

from app.core import ServiceError
from app.core.audit import record
from app.core.text import clean_line, clean_text
from app.extensions import db
from app.messages.sandbox import check_template
from app.models import Audience, IncidentKind, MessageTemplate, State, User


def message_templates() -> list[MessageTemplate]:
    """Every template, grouped by kind, state and audience."""
    return list(
        db.session.scalars(
            db.select(MessageTemplate).order_by(
                MessageTemplate.kind,
                MessageTemplate.state,
                MessageTemplate.audience,
                MessageTemplate.name,
            )
        )
    )


def _clean(*, name, kind, state, audience, subject, body, template=None):
    name, subject, body = clean_line(name), clean_line(subject), clean_text(body)
    if not name:
        raise ServiceError("Give the template a name.", field="name")
    try:
        kind = IncidentKind(kind)
    except ValueError:
        raise ServiceError("Choose incident or maintenance.", field="kind") from None
    try:
        audience = Audience(audience)
    except ValueError:
        raise ServiceError("Choose external or internal.", field="audience") from None
    allowed = STATES_BY_KIND[kind]
    if state not in [s.value for s in allowed]:
        raise ServiceError(
            f"A {kind} template's state must be one of {', '.join(allowed)}.", field="state"
        )
    check_template(subject, field="subject")
    check_template(body, field="body")
    clash = db.session.scalar(
        db.select(MessageTemplate.id).filter_by(
            kind=kind, state=State(state), audience=audience, name=name
        )
    )
    if clash and (template is None or clash != template.id):
        raise ServiceError(
            f"There is already a {kind} {state} {audience} template named {name!r}.", field="name"
        )
    return {
        "name": name,
        "kind": kind,
        "state": State(state),
        "audience": audience,
        "subject": subject,
        "body": body,
    }


def create_template(*, actor: User, **fields) -> MessageTemplate:
    """Add a message template after checking it compiles safely."""
    template = MessageTemplate(**_clean(**fields))
    db.session.add(template)
    record("template.create", actor=actor, obj=template, detail={"name": template.name})
    db.session.flush()
    return template


def edit_template(template: MessageTemplate, *, actor: User, **fields) -> MessageTemplate:
    """Change a message template after checking it compiles safely."""
    for key, value in _clean(template=template, **fields).items():
        setattr(template, key, value)
    record("template.edit", actor=actor, obj=template, detail={"name": template.name})
    db.session.flush()
    return template


def delete_template(template: MessageTemplate, *, actor: User) -> None:
    """Remove a message template."""
    record("template.delete", actor=actor, obj=template, detail={"name": template.name})
    db.session.delete(template)
    db.session.flush()


STATES_BY_KIND = {
    IncidentKind.incident: (
        State.investigating,
        State.identified,
        State.monitoring,
        State.resolved,
        State.postmortem,
    ),
    IncidentKind.maintenance: (
        State.scheduled,
        State.in_progress,
        State.verifying,
        State.completed,
        State.cancelled,
    ),
}


def get_template(template_id: int) -> MessageTemplate | None:
    """The template with this id."""
    return db.session.get(MessageTemplate, template_id)
