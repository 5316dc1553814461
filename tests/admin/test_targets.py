"""An admin sets a component's availability target: audited; bad input is a form error."""

import pytest

from app.extensions import db
from app.models import AuditEvent, Component
from tests.conftest import csrf_token
from tests.factories import create_component


@pytest.fixture
def api(ctx):
    return create_component(slug="api", name="API")


def _url(component):
    return f"/admin/components/{component.public_id}/target"


def _post(client, component, target):
    data = {"csrf_token": csrf_token(client, _url(component)), "target": target}
    return client.post(_url(component), data=data)


def test_an_admin_sets_and_clears_a_target_and_it_is_audited(client, as_admin, api):
    assert _post(client, api, "99.95").status_code == 302
    db.session.expire_all()
    assert db.session.get(Component, api.id).slo_target == 99.95
    assert _post(client, api, "").status_code == 302
    db.session.expire_all()
    assert db.session.get(Component, api.id).slo_target is None
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="component.target"))
    assert [e.detail["target"] for e in events] == [[None, 99.95], [99.95, None]]


@pytest.mark.parametrize(
    "target", ["100", "89.9", "abc", "nan", "inf", "1e400", "9" * 25, "99.9\x00", "\x1b[31m"]
)
def test_a_bad_target_is_a_form_error(client, as_admin, api, target):
    response = _post(client, api, target)
    assert response.status_code == 422
    assert 'class="error"' in response.text
    db.session.expire_all()
    assert db.session.get(Component, api.id).slo_target is None


def test_only_admins_and_known_components(client, as_lead, api):
    assert client.get(_url(api)).status_code == 403
    assert client.get(f"/admin/components/{'9' * 25}/target").status_code in (403, 404)
