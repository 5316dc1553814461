"""Signing out ends the session on the server: an old cookie no longer opens the console."""

import pytest
from flask import g

from app.core.uow import unit_of_work
from app.core.users import change_user
from app.extensions import db
from app.models import User
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user


@pytest.fixture
def lead(ctx):
    return create_user(email="lead@example.com")


def _stolen_cookie(client):
    return client.get_cookie("session").value


def _replay(app, cookie):
    g.pop("_login_user", None)  # requests share the test's app context and Flask-Login's cache
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/admin/")


def test_an_old_cookie_is_refused_after_sign_out(app, client, lead):
    login(client, "lead@example.com", PASSWORD)
    cookie = _stolen_cookie(client)
    assert _replay(app, cookie).status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert _replay(app, cookie).status_code == 302


def test_a_new_role_or_password_ends_old_sessions(app, client, lead):
    admin = create_user(email="admin@example.com", role="admin")
    login(client, "lead@example.com", PASSWORD)
    cookie = _stolen_cookie(client)
    with unit_of_work():
        change_user(lead, actor=admin, role="viewer", active=True)
    assert _replay(app, cookie).status_code == 302
    login(client, "lead@example.com", PASSWORD)
    cookie = _stolen_cookie(client)
    lead = db.session.get(User, lead.id)
    lead.set_password("a brand new password")
    db.session.commit()
    assert _replay(app, cookie).status_code == 302


@pytest.mark.parametrize("session_id", ["1", "²", "9" * 25, "1.é", "x.y", ""])
def test_odd_session_ids_are_signed_out_not_crashed_on(ctx, lead, session_id):
    assert User.from_session_id(session_id.replace("1", str(lead.id), 1)) is None


@pytest.mark.parametrize("path", ["/admin/reach?severity=SEV1", "/admin/prefill", "/admin/"])
def test_a_background_fetch_signed_out_gets_401_and_starts_no_session(client, ctx, path):
    # Following the redirect to the sign-in page would start a session there, replacing the
    # one whose CSRF token the sign-in form open in the tab carries: its next submit fails.
    fetched = client.get(path, headers={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"})
    assert fetched.status_code == 401 and "Location" not in fetched.headers
    assert client.get_cookie("session") is None
    opened = client.get(path, headers={"Sec-Fetch-Mode": "navigate"})
    assert opened.status_code == 302 and "/login?next=" in opened.headers["Location"]
