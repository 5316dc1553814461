from app.extensions import db
from app.models import AuditEvent, Role, User
from tests.conftest import csrf_token
from tests.factories import create_user

LIST = "/admin/users"


def test_an_admin_adds_a_user_and_changes_roles(client, as_admin):
    data = {
        "csrf_token": csrf_token(client, LIST),
        "email": "New@Example.com",
        "name": "Newbie",
        "role": "lead",
        "password": "a long enough password",
    }
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="new@example.com"))
    assert user.role == Role.lead
    response = client.post(
        f"/admin/users/{user.id}", data={"csrf_token": csrf_token(client, LIST), "role": "viewer"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.active) == (Role.viewer, False)
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.create", "user.change"]


def test_bad_users_are_form_errors(client, as_admin):
    for fields, message in [
        ({"email": "not-an-email"}, "not valid"),
        ({"password": "short"}, "at least 12"),
        ({"role": "emperor"}, "Role must be one of"),
    ]:
        data = {
            "csrf_token": csrf_token(client, LIST),
            "email": "x@example.com",
            "password": "a long enough password",
            "role": "viewer",
        } | fields
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_an_admin_cannot_lock_themselves_out(client, as_admin):
    data = {"csrf_token": csrf_token(client, LIST), "role": "viewer", "active": "y"}
    response = client.post(f"/admin/users/{as_admin.id}", data=data)
    assert response.status_code == 422 and "your own role" in response.get_data(as_text=True)
    db.session.refresh(as_admin)
    assert as_admin.role == Role.admin


def test_leads_see_users_but_cannot_change_them(client, as_lead):
    other = create_user(email="other@example.com", role="viewer")
    assert "other@example.com" in client.get(LIST).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, LIST), "role": "admin", "active": "y"}
    assert client.post(f"/admin/users/{other.id}", data=data).status_code == 403
    db.session.refresh(other)
    assert other.role == Role.viewer


def test_a_refused_new_user_form_does_not_echo_the_password(client, as_admin):
    data = {
        "csrf_token": csrf_token(client, LIST),
        "email": "not-an-email",
        "role": "viewer",
        "password": "a very secret initial password",
    }
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422 and "not valid" in response.text
    assert "a very secret initial password" not in response.text
