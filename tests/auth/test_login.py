import pytest

from app.extensions import db
from app.models import Role
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user


@pytest.fixture
def user(ctx):
    return create_user(email="lead@example.com", role=Role.lead)


def test_sign_in_and_reach_the_admin(client, user):
    response = login(client, "lead@example.com", PASSWORD)
    assert response.status_code == 302 and response.location == "/admin/"
    assert "Dashboard" in client.get("/admin/").get_data(as_text=True)


def test_passwords_are_hashed_with_scrypt(user):
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_wrong_email_and_wrong_password_get_the_same_answer(client, user):
    wrong_password = login(client, "lead@example.com", "not the password")
    wrong_email = login(client, "nobody@example.com", PASSWORD)
    assert wrong_password.status_code == wrong_email.status_code == 401
    for response in (wrong_password, wrong_email):
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_deactivated_users_cannot_sign_in(client, user):
    user.active = False
    db.session.commit()
    assert login(client, "lead@example.com", PASSWORD).status_code == 401


def test_empty_form_is_a_clear_error(client, user):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, user):
    response = client.post("/login", data={"email": "lead@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_is_rate_limited(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [login(client, "x@example.com", "wrong password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_next_parameter_cannot_leave_the_site(client, user):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": "lead@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/admin/"


def test_sign_out_needs_a_post(client, user):
    login(client, "lead@example.com", PASSWORD)
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "target", ["/admin/\r\nSet-Cookie: x=1", "/admin/%0d%0a", "/\\evil.example", "/\t/evil"]
)
def test_next_with_control_characters_or_backslashes_goes_home(client, user, target):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "lead@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.location in ("/admin/", "/admin/%0d%0a")
