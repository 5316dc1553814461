import pytest

from app.core import ServiceError
from app.core.settings import page_settings, update_settings
from app.core.uow import unit_of_work
from app.extensions import db
from app.models import AuditEvent, Setting, default_cadence_policy
from tests.factories import create_user

GOOD = {
    "page_name": "Acme Status",
    "timezone": "Europe/Berlin",
    "public_url": "https://status.acme.test",
    "support_url": "",
    "brand_color": "#FF0000",
    "logo_url": "",
}


@pytest.fixture
def admin(ctx):
    return create_user(email="admin@example.com", role="admin")


def test_settings_are_saved_with_the_cadence_policy(admin):
    policy = default_cadence_policy()
    policy["SEV1"]["investigating"] = 10
    with unit_of_work():
        update_settings(actor=admin, cadence_policy=policy, **GOOD)
    setting = db.session.scalar(db.select(Setting))
    assert setting.page_name == "Acme Status" and setting.brand_color == "#ff0000"
    assert setting.cadence_for("SEV1", "investigating") == 10
    assert page_settings().timezone == "Europe/Berlin"
    assert db.session.scalar(db.select(AuditEvent.action)) == "settings.update"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"page_name": " "}, "page_name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"brand_color": "red"}, "brand_color"),
        ({"public_url": "javascript:alert(1)"}, "public_url"),
        ({"cadence_policy": {"SEV1": {"investigating": "0"}}}, "cadence"),
        ({"cadence_policy": default_cadence_policy() | {"SEV2": {"identified": "x"}}}, "cadence"),
    ],
)
def test_bad_settings_are_refused(admin, fields, field):
    with pytest.raises(ServiceError) as caught, unit_of_work():
        update_settings(actor=admin, **GOOD | fields)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(db.select(Setting.id)) is None
