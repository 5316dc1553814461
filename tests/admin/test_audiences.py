"""The console's audiences: admins only, CSRF, clear errors, a confirmation before delete."""

import pytest

from app.core.audit import audit_events
from app.extensions import db
from app.models import PageAudience
from tests.conftest import csrf_token
from tests.factories import create_component, create_incident

NEW = "/admin/audiences/new"


def _post(client, url, **fields):
    data = {"name": "Enterprise EU", "kind": "customer"} | fields
    return client.post(url, data=data | {"csrf_token": csrf_token(client, url)})


def test_leads_and_viewers_cannot_manage_audiences(client, as_lead):
    assert client.get("/admin/audiences").status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data={"name": "Sneaky"}).status_code in (400, 403)
    assert db.session.scalar(db.select(PageAudience)) is None


def test_a_form_without_its_csrf_token_is_refused(client, as_admin):
    response = client.post(NEW, data={"name": "Forged", "kind": "customer"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(PageAudience)) is None


def test_an_admin_creates_edits_and_deletes_an_audience(client, as_admin):
    dedicated = create_component(slug="dedicated", name="Dedicated", is_public=False)
    response = _post(
        client,
        NEW,
        components=[dedicated.public_id],
        emails="ana@gmail.com",
        domains="example.com",
        claims="team-eu",
        networks="192.0.2.0/24",
    )
    assert response.status_code == 302
    audience = db.session.scalar(db.select(PageAudience))
    assert audience.components == [dedicated]
    listing = client.get("/admin/audiences").get_data(as_text=True)
    assert "Enterprise EU" in listing and "Dedicated" in listing and "1 IP range" in listing

    url = f"/admin/audiences/{audience.public_id}"
    form = client.get(url).get_data(as_text=True)
    assert "192.0.2.0/24" in form and "ana@gmail.com" in form and "checked" in form
    assert _post(client, url, name="Enterprise", kind="internal").status_code == 302
    db.session.expire_all()
    assert (audience.name, audience.kind, audience.components) == ("Enterprise", "internal", [])

    mine = create_incident(title="Dedicated_1 down", components=[dedicated])
    _post(client, url, name="Enterprise", components=[dedicated.public_id])
    confirm = client.get(f"{url}/delete")
    assert confirm.status_code == 200
    asks = confirm.get_data(as_text=True)
    assert "Delete the audience" in asks and "Dedicated_1 down" in asks  # returns to the page
    assert db.session.scalar(db.select(PageAudience)) is not None  # asking deletes nothing
    token = csrf_token(client, f"{url}/delete")
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(db.select(PageAudience)) is None
    assert mine.id
    actions = [e.action for e in audit_events() if e.action.startswith("audience.")]
    assert actions == ["audience.delete", "audience.edit", "audience.edit", "audience.create"]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"networks": "10.0.0.1/8"}, "did you mean 10.0.0.0/8"),
        ({"networks": "10.0.0.0/99"}, "is not an IP range"),
        ({"domains": "gmail.com"}, "free-mail domain"),
        ({"components": "1234567890123456789012345"}, "There is no component"),
        ({"groups": "1234567890123456789012345"}, "There is no component group"),
        ({"name": "x" * 1_000_000}, "at most 120 characters"),
        ({"name": "Evil\x07Corp"}, "control characters"),
        ({"kind": "superuser"}, "customer or internal"),
        ({"emails": "nobody"}, "is not an email address"),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(client, as_admin, fields, says):
    response = _post(client, NEW, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert says in html and 'class="error"' in html
    assert len(html) < 100_000  # the megabyte is not echoed back in the message
    assert db.session.scalar(db.select(PageAudience)) is None


def test_an_unknown_audience_is_a_404(client, as_admin):
    assert client.get("/admin/audiences/" + "9" * 25).status_code == 404
    assert client.get("/admin/audiences/abcdefghijkl/delete").status_code == 404
