"""Keys for the Alertmanager tests (the management API's fixtures) and a signed-in console."""

import pytest

from tests.admin.conftest import _signed_in
from tests.api.conftest import admin_key, key_admin, lead_key  # noqa: F401 - fixtures


@pytest.fixture
def as_lead(client, key_admin):  # noqa: F811 - the imported fixture
    """The console signed in as a lead (the one the on-duty notices go to)."""
    return _signed_in(client, "lead")


@pytest.fixture
def as_admin(client, key_admin):  # noqa: F811
    return _signed_in(client, "admin")
