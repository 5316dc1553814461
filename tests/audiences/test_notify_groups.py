"""The console ties a stakeholder group to an audience (admin only, audited): the group then
hears only of the incidents that audience sees."""

import pytest

from app.core.audit import audit_events
from app.extensions import db
from app.models import PageAudience, StakeholderGroup
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user


@pytest.fixture
def admin(client, ctx):
    create_user(email="admin@example.com", role="admin")
    login(client, "admin@example.com", PASSWORD)
    return client


def _save(client, url, **fields):
    data = {"name": "Desk", "emails": "desk@corp.example", "min_severity": "SEV3"} | fields
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, url)))


def test_an_admin_ties_a_group_to_an_audience_and_unties_it(admin):
    audience = PageAudience(name="Enterprise EU")
    db.session.add(audience)
    db.session.commit()
    form = admin.get("/admin/stakeholders/new").get_data(as_text=True)
    assert f'value="{audience.public_id}"' in form and "Enterprise EU (customer)" in form
    assert _save(admin, "/admin/stakeholders/new", audience=audience.public_id).status_code == 302
    group = db.session.scalar(db.select(StakeholderGroup))
    assert group.audience_id == audience.id
    assert "only what Enterprise EU sees" in admin.get("/admin/stakeholders").get_data(as_text=True)
    edit = f"/admin/stakeholders/{group.id}"
    assert f'selected value="{audience.public_id}"' in admin.get(edit).get_data(as_text=True)
    assert _save(admin, edit, audience="").status_code == 302
    db.session.expire_all()
    assert db.session.get(StakeholderGroup, group.id).audience_id is None
    details = [e.detail for e in audit_events() if e.action.startswith("stakeholder_group.")]
    assert {"audience": ["Enterprise EU", None]} in details
    assert any(d.get("audience") == "Enterprise EU" for d in details)


def test_an_unknown_audience_is_a_form_error_not_a_500(admin):
    answer = _save(admin, "/admin/stakeholders/new", audience="zzzzzzzzzzzz")
    assert answer.status_code == 422
    assert "Choose an audience from the list." in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(StakeholderGroup)) is None


def test_a_viewer_or_lead_cannot_tie_groups(client, ctx):
    create_user(email="lead@example.com", role="lead")
    login(client, "lead@example.com", PASSWORD)
    assert client.get("/admin/stakeholders/new").status_code in (302, 403)
