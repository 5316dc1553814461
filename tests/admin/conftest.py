"""Signed-in clients for the console's tests."""

import pytest

from app.messages.seed import seed_default_templates
from tests.conftest import login
from tests.factories import PASSWORD, create_user


def _signed_in(client, role):
    user = create_user(email=f"{role}@example.com", name=f"{role.title()} User", role=role)
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    return user


@pytest.fixture
def templates(ctx):
    from app.extensions import db

    seed_default_templates()
    db.session.commit()


@pytest.fixture
def as_lead(client, ctx, templates):
    return _signed_in(client, "lead")


@pytest.fixture
def as_admin(client, ctx, templates):
    return _signed_in(client, "admin")


@pytest.fixture
def as_viewer(client, ctx, templates):
    return _signed_in(client, "viewer")
