"""Rotating SECRET_KEY with the old key in SECRET_KEY_FALLBACKS keeps emailed links, sessions
and CSRF tokens working; removing the old key ends them (docs/configuration.md)."""

import secrets

import pytest
from flask import g

from app.extensions import db
from app.fanout.hooks import hook_token
from app.fanout.subscribers import personal_token
from app.models import Channel, HookSubscriber, Subscriber
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_subscriber, create_user

OLD = "old-" + secrets.token_hex(20)
NEW = "new-" + secrets.token_hex(20)


@pytest.fixture
def apps(app, app_factory):
    """The same database under the old key, the new key with the old one as a fallback, and
    the new key alone (``app`` only for its teardown)."""
    return {
        "old": app_factory(SECRET_KEY=OLD),
        "rotated": app_factory(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]),
        "new": app_factory(SECRET_KEY=NEW),
    }


def links_emailed_under(app) -> list[str]:
    """The manage, unsubscribe and webhook-unsubscribe links as the old key's emails had them."""
    with app.app_context():
        token = personal_token(create_subscriber(email="member@example.com"))
        hook = HookSubscriber(kind=Channel.webhook, url="https://hooks.example.com/x",
                              token_hash=secrets.token_hex(16))  # fmt: skip
        db.session.add(hook)
        db.session.commit()
        return [f"/manage/{token}", f"/u/{token}", f"/hooks/unsubscribe/{hook_token(hook)}"]


def test_emailed_links_survive_a_rotation_while_the_old_key_is_a_fallback(apps):
    links = links_emailed_under(apps["old"])
    for link in links:
        assert apps["old"].test_client().get(link).status_code == 200, link
        assert apps["rotated"].test_client().get(link).status_code == 200, link
        assert apps["new"].test_client().get(link).status_code == 404, link
    with apps["rotated"].app_context():  # new links are signed with the new key
        sub = db.session.scalar(db.select(Subscriber))
        fresh = f"/manage/{personal_token(sub)}"
    assert apps["new"].test_client().get(fresh).status_code == 200
    assert apps["old"].test_client().get(fresh).status_code == 404


def _signed_in_client(app):
    with app.app_context():
        create_user(email="lead@example.com")
    client = app.test_client()
    assert login(client, "lead@example.com", PASSWORD).status_code == 302
    return client, csrf_token(client, "/admin/")


def _carry(client, app):
    """A client of ``app`` holding the same cookies (a browser across the restart)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    return other


@pytest.mark.parametrize(
    ("which", "signed_in", "post"), [("rotated", True, 302), ("new", False, 400)]
)
def test_sessions_and_csrf_tokens_survive_while_the_old_key_is_a_fallback(
    apps, which, signed_in, post
):
    client, token = _signed_in_client(apps["old"])
    other = _carry(client, apps[which])
    with apps[which].app_context():
        g.pop("csrf_token", None)
    page = other.get("/admin/")
    assert (page.status_code == 200) is signed_in, page.status_code
    assert other.post("/logout", data={"csrf_token": token}).status_code == post
