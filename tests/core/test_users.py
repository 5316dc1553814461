import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.core.users import authenticate, create_user
from app.models import Role


def test_create_user_normalises_the_address_and_hashes(ctx):
    with unit_of_work():
        user = create_user("  Ada@Example.COM ", password="long enough pass", role="admin")
    assert user.email == "ada@example.com" and user.role is Role.admin
    assert user.name == "ada" and user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "nope", "password": "long enough pass"}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com", "password": "long enough pass", "role": "root"}, "role"),
        ({"email": "a@example.com", "password": "long enough pass", "timezone": "Mars/Base"},
         "timezone"),
    ],
)  # fmt: skip
def test_create_user_refuses_bad_input_naming_the_field(ctx, kwargs, field):
    email = kwargs.pop("email")
    with pytest.raises(ServiceError) as exc, unit_of_work():
        create_user(email, **kwargs)
    assert exc.value.field == field
    assert authenticate(email, "long enough pass") is None


def test_duplicate_addresses_are_refused(ctx):
    with unit_of_work():
        create_user("a@example.com", password="long enough pass")
    with pytest.raises(ServiceError, match="already exists"), unit_of_work():
        create_user("A@example.com", password="another long one")
