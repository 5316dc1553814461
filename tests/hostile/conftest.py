"""A small world for hostile input: an admin signed in, and one of everything to aim at."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.messages.seed import seed_default_templates
from app.models import IncidentKind, MessageTemplate, StakeholderGroup, State
from app.sqltypes import utcnow
from tests.admin.conftest import _signed_in
from tests.factories import create_component, create_incident, create_settings, create_user


@pytest.fixture
def world(client, ctx):
    """Everything a console form can name, with an admin (who may do all) signed in."""
    seed_default_templates()
    db.session.commit()
    admin = _signed_in(client, "admin")
    create_settings()
    component = create_component(slug="api", name="API", group="Core")
    open_incident = create_incident(title="Open", components=[component], lead=admin)
    resolved = create_incident(title="Done", state="resolved", resolved_at=utcnow())
    window = create_incident(
        title="Upgrade",
        kind=IncidentKind.maintenance,
        state=State.scheduled,
        scheduled_for=utcnow() + timedelta(days=1),
        scheduled_until=utcnow() + timedelta(days=1, hours=1),
    )
    group = StakeholderGroup(name="Execs", emails=["ceo@example.com"])
    db.session.add(group)
    db.session.commit()
    other = create_user(email="viewer@example.com", name="Vic", role="viewer")
    return {
        "admin": str(admin.id),
        "other": str(other.id),
        "component": component.public_id,
        "group": component.group.public_id,
        "incident": open_incident.public_id,
        "resolved": resolved.public_id,
        "window": window.public_id,
        "stakeholders": str(group.id),
        "template": str(db.session.scalar(db.select(MessageTemplate.id).limit(1))),
    }
