"""Only POST acts: a HEAD (link scanners, `curl -I`) is answered like a GET and changes nothing."""

import pytest

from app.extensions import db
from app.fanout.subscribers import personal_token
from app.models import Subscriber
from tests.factories import create_subscriber


def _state():
    db.session.expire_all()
    sub = db.session.scalar(db.select(Subscriber))
    return sub.unsubscribed_at, sub.confirmed_at, [c.id for c in sub.components]


@pytest.fixture
def token(ctx):
    return personal_token(create_subscriber(email="member@example.com"))


def test_head_on_the_unsubscribe_link_never_unsubscribes(client, token):
    response = client.head(f"/u/{token}")
    assert response.status_code == 200
    assert db.session.scalar(db.select(Subscriber)).unsubscribed_at is None


def test_every_public_form_answers_head_like_get_and_changes_nothing(app, client, token):
    before = _state()
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "POST" in r.methods and "GET" in r.methods and not r.rule.startswith("/admin")
    ]
    assert {"/u/<token>", "/manage/<token>", "/subscribe", "/login"} <= {r.rule for r in rules}
    for rule in rules:
        url = rule.rule.replace("<token>", token)
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code, rule.rule
        assert head.get_data() == b"", rule.rule
    assert _state() == before
