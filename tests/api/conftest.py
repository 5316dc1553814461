"""Keys for the management API's tests: an admin who made them, a lead and an admin key."""

import pytest

from app.core.api_keys import create_api_key
from app.core.uow import unit_of_work
from app.extensions import db
from app.messages.seed import seed_default_templates
from tests.factories import create_user


@pytest.fixture
def key_admin(ctx):
    seed_default_templates()
    db.session.commit()
    return create_user(email="ada@example.com", name="Ada Admin", role="admin")


@pytest.fixture
def admin_key(key_admin):
    """Headers carrying a live admin-scope key (Statuspage's OAuth scheme)."""
    with unit_of_work():
        _key, secret = create_api_key("ops admin", scope="admin", actor=key_admin)
    return {"Authorization": f"OAuth {secret}"}


@pytest.fixture
def lead_key(key_admin):
    """Headers carrying a live lead-scope key."""
    with unit_of_work():
        _key, secret = create_api_key("deploy pipeline", scope="lead", actor=key_admin)
    return {"Authorization": f"OAuth {secret}"}
