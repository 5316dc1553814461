"""Settings → API keys: admins create (the key shown once), list and revoke (confirmed)."""

import re

from app.core.api_keys import authenticate_key
from app.extensions import db
from app.models import ApiKey
from tests.conftest import csrf_token

URL = "/admin/settings/api-keys"


def _create(client, name="deploy", scope="lead"):
    token = csrf_token(client, URL)
    return client.post(URL, data={"name": name, "scope": scope, "csrf_token": token})


def test_an_admin_creates_a_key_shown_once(client, as_admin):
    response = _create(client, scope="admin")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-key-secret" readonly size="60" value="([^"]+)"',
                       response.get_data(as_text=True)).group(1)  # fmt: skip
    key = authenticate_key(secret)
    assert key.name == "deploy" and key.scope == "admin" and key.created_by == as_admin
    later = client.get(URL).get_data(as_text=True)
    assert secret not in later
    assert key.prefix in later


def test_settings_links_to_the_keys(client, as_admin):
    assert URL in client.get("/admin/settings").get_data(as_text=True)


def test_a_clashing_or_blank_name_is_refused(client, as_admin):
    _create(client)
    response = _create(client)
    assert response.status_code == 422
    assert "already a key named" in response.get_data(as_text=True)
    assert _create(client, name="").status_code == 422
    assert _create(client, name="x", scope="viewer").status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiKey)) == 1


def test_revoking_asks_then_stops_the_key(client, as_admin):
    _create(client)
    key = db.session.scalar(db.select(ApiKey))
    page = f"{URL}/{key.id}/revoke"
    assert "Revoke the key" in client.get(page).get_data(as_text=True)
    assert client.post(page, data={}).status_code == 400  # no CSRF token
    db.session.refresh(key)
    assert key.revoked_at is None
    response = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    db.session.refresh(key)
    assert key.revoked_at is not None
    assert "Revoke…" not in client.get(URL).get_data(as_text=True)


def test_leads_and_signed_out_visitors_cannot_manage_keys(client, as_lead):
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"name": "x", "scope": "admin"}).status_code in (400, 403)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert client.get(URL).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiKey)) == 0


def test_a_keys_user_is_not_a_person_on_the_users_page(client, as_admin):
    _create(client, name="deploy", scope="lead")
    key = db.session.scalar(db.select(ApiKey))
    assert "deploy" not in client.get("/admin/users").get_data(as_text=True)
    token = csrf_token(client, "/admin/users")
    response = client.post(
        f"/admin/users/{key.user_id}", data={"role": "admin", "active": "y", "csrf_token": token}
    )
    assert response.status_code == 422
    db.session.refresh(key.user)
    assert key.user.role == "lead" and not key.user.active


def test_a_key_made_with_an_expiry_shows_it_and_a_suspended_key_says_why(client, as_admin):
    from datetime import timedelta

    from app.core.api_keys import create_api_key
    from app.core.uow import unit_of_work
    from app.core.users import change_user
    from app.sqltypes import utcnow
    from tests.factories import create_user

    day = (utcnow() + timedelta(days=30)).date().isoformat()
    token = csrf_token(client, URL)
    response = client.post(
        URL, data={"name": "temp", "scope": "lead", "expires_on": day, "csrf_token": token}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    key = db.session.scalar(db.select(ApiKey).filter_by(name="temp"))
    assert key.expires_at.date().isoformat() == day
    listed = client.get(URL).get_data(as_text=True)
    assert re.search(
        rf"works, expires <time datetime=\"{day}T00:00:00.000Z\">{day} UTC</time>", listed
    )
    past = client.post(
        URL,
        data={"name": "old", "scope": "lead", "expires_on": "2020-01-01", "csrf_token": token},
    )
    assert past.status_code == 422 and "future" in past.get_data(as_text=True)

    owner = create_user(email="olga@example.com", name="Olga Owner", role="admin")
    with unit_of_work():
        create_api_key("olga's", scope="admin", actor=owner)
    with unit_of_work():
        change_user(owner, actor=as_admin, role="lead", active=True)
    page = client.get(URL).get_data(as_text=True)
    assert "suspended: its owner Olga Owner no longer holds the admin role" in page
