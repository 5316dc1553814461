"""A signed-in viewer subscribes from their page: their address, confirmed at once, told of
their audiences' incidents as the audiences stand at each dispatch; one-click unsubscribe."""

import re

import pytest

from app.audiences.sessions import COOKIE, revoked
from app.extensions import db
from app.models import AdmissionKind, AudienceAdmission, PageAudience, Subscriber
from tests.audiences.test_viewer_sign_in import ask, emailed_link, follow
from tests.conftest import csrf_token
from tests.factories import create_component, create_incident, post_update


@pytest.fixture
def world(smtp_app):
    vault = create_component(slug="vault", name="Vault", is_public=False)
    audience = PageAudience(
        name="Enterprise",
        components=[vault],
        admissions=[AudienceAdmission(kind=AdmissionKind.domain, value="corp.example")],
    )
    db.session.add(audience)
    db.session.commit()
    revoked.forget()
    return smtp_app.test_client(), vault, audience


def _signed_in(client, smtp_server, email):
    ask(client, email)
    follow(client, emailed_link(smtp_server, email))
    smtp_server.messages.clear()


def _press(client, button):
    data = {"csrf_token": csrf_token(client, "/viewer"), button: "x"}
    return client.post("/viewer/updates", data=data)


def _mail_to(smtp_server, email):
    return [m for r, m in smtp_server.messages if r == [email]]


def test_a_viewer_subscribes_from_their_page_and_hears_of_their_audiences_incidents(
    world, smtp_server
):
    client, vault, audience = world
    _signed_in(client, smtp_server, "bo@corp.example")
    assert "Email me updates" in client.get("/viewer").get_data(as_text=True)
    assert _press(client, "submit").status_code == 302
    sub = db.session.scalar(db.select(Subscriber).filter_by(email="bo@corp.example"))
    assert sub.is_active and sub.viewer_at is not None and sub.components == []
    assert smtp_server.messages == []  # no confirmation: signing in proved the address
    assert "Stop email updates" in client.get("/viewer").get_data(as_text=True)

    post_update(create_incident(title="Vault slow", components=[vault]), external="Looking.")
    (message,) = _mail_to(smtp_server, "bo@corp.example")
    assert "Vault slow" in str(message["Subject"])

    # The audience as it stands at the dispatch: removed from it, the private one is not told.
    audience.admissions = []
    db.session.commit()
    smtp_server.messages.clear()
    post_update(create_incident(title="Vault down", components=[vault]), external="Again.")
    post_update(create_incident(title="Everyone's outage"), external="All of it.")
    subjects = [str(m["Subject"]) for m in _mail_to(smtp_server, "bo@corp.example")]
    assert len(subjects) == 1 and "Everyone's outage" in subjects[0]


def test_one_click_unsubscribe_and_the_stop_button_end_it(world, smtp_server):
    client, vault, _ = world
    _signed_in(client, smtp_server, "bo@corp.example")
    _press(client, "submit")
    post_update(create_incident(title="Vault slow", components=[vault]), external="Looking.")
    (message,) = _mail_to(smtp_server, "bo@corp.example")
    url = re.search(r"<(https?://[^>]+/u/[^>]+)>", message["List-Unsubscribe"]).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    answer = client.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    db.session.expire_all()
    sub = db.session.scalar(db.select(Subscriber).filter_by(email="bo@corp.example"))
    assert not sub.is_active
    assert "Email me updates" in client.get("/viewer").get_data(as_text=True)

    _press(client, "submit")
    db.session.expire_all()
    assert db.session.get(Subscriber, sub.id).is_active
    _press(client, "stop")
    db.session.expire_all()
    assert not db.session.get(Subscriber, sub.id).is_active


def test_only_a_signed_in_viewer_with_the_forms_token_subscribes(world, smtp_server):
    client, _, _ = world
    _signed_in(client, smtp_server, "bo@corp.example")
    assert client.post("/viewer/updates", data={"submit": "x"}).status_code == 400  # no token
    client.delete_cookie(COOKIE)  # no viewer any more
    token = csrf_token(client, "/viewer/sign-in")
    answer = client.post("/viewer/updates", data={"submit": "x", "csrf_token": token})
    assert answer.status_code == 302 and "/viewer/sign-in" in answer.headers["Location"]
    assert db.session.scalar(db.select(Subscriber)) is None
