"""Three audiences with disjoint private components and incidents (Gamma internal), one
person in Alpha and Beta, published: what the audience tests share."""

import pytest

from app.audiences.membership import current_membership
from app.audiences.sessions import COOKIE, cookie_for, revoked
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    AudienceKind,
    PageAudience,
    ViewerSession,
)
from app.publishing.audience_cache import audience_artifacts
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident

NAMES = ["Alpha", "Beta", "Gamma"]


def forget():
    for cache in (current_membership, audience_artifacts, revoked):
        cache.forget()


@pytest.fixture
def world(ctx):
    forget()
    api = create_component(slug="api", name="Public API")
    create_incident(title="Public_1 slowness", components=[], updates=[("Public_1 text.", "")])
    made = {}
    for name in NAMES:
        marker = f"{name}_1"
        component = create_component(slug=name.lower(), name=f"{marker} cluster", is_public=False)
        incident = create_incident(
            title=f"{marker} outage",
            components=[component],
            updates=[(f"{marker} external words.", f"{marker} internal words.")],
        )
        audience = PageAudience(
            name=f"{name} Corp",
            kind=AudienceKind.internal if name == "Gamma" else AudienceKind.customer,
            components=[component],
            admissions=[
                AudienceAdmission(kind=AdmissionKind.domain, value=f"{name.lower()}.example")
            ],
        )
        db.session.add(audience)
        db.session.commit()
        made[name] = {
            "marker": marker,
            "audience": audience,
            "incident": incident,
            "component": component,
            "secrets": [
                marker.encode(),
                component.public_id.encode(),
                incident.public_id.encode(),
                f"{name} Corp".encode(),
            ],
        }
    # One person listed in Alpha and in Beta: the set {Alpha, Beta} has its own page.
    db.session.add(
        AudienceAdmission(
            audience=made["Alpha"]["audience"], kind=AdmissionKind.email, value="both@else.example"
        )
    )
    db.session.add(
        AudienceAdmission(
            audience=made["Beta"]["audience"], kind=AdmissionKind.email, value="both@else.example"
        )
    )
    # On the floor (a public component), and on Alpha's hidden one: Alpha's viewers read
    # that it affects their cluster too; internal audiences read its internal text.
    made["shared"] = create_incident(
        title="Shared_1 outage",
        components=[api, made["Alpha"]["component"]],
        updates=[("Shared_1 external words.", "Shared_1 internal words.")],
    )
    db.session.commit()
    publish_site()
    return made


def viewer_client(app, email):
    session = ViewerSession(email=email)
    db.session.add(session)
    db.session.commit()
    client = app.test_client()
    with app.test_request_context():
        client.set_cookie(COOKIE, cookie_for(session))
    return client
