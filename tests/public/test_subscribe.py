import re
from datetime import timedelta

import pytest
import time_machine
from flask import g

from app.extensions import db
from app.fanout.subscribers import personal_token
from app.models import Subscriber
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_component, create_subscriber


def subscribe(client, email, **extra):
    data = {"email": email, "csrf_token": csrf_token(client, "/subscribe"), **extra}
    return client.post("/subscribe", data=data)


def confirm_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://status\.example\.test(/confirm/\S+)", text).group(1)


def subscriber(email):
    db.session.expire_all()
    return db.session.scalar(db.select(Subscriber).filter_by(email=email))


def test_double_opt_in_confirms_only_after_the_button_is_pressed(client, ctx, outbox):
    api = create_component(slug="api", name="API")
    response = subscribe(client, "Reader@Example.com", components=[str(api.id)])
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    sub = subscriber("reader@example.com")
    assert sub.confirmed_at is None and [c.slug for c in sub.components] == ["api"]
    assert sub.confirm_token_hash and sub.confirm_token_hash not in str(outbox[0])
    (message,) = outbox
    assert message["To"] == "reader@example.com" and "Confirm" in message["Subject"]
    link = confirm_link(message)
    assert "Confirm my subscription" in client.get(link).get_data(as_text=True)
    assert subscriber("reader@example.com").confirmed_at is None  # GET changes nothing
    token = csrf_token(client, link)
    assert "You are subscribed" in client.post(link, data={"csrf_token": token}).get_data(
        as_text=True
    )
    assert subscriber("reader@example.com").is_active
    again = client.post(link, data={"csrf_token": token})
    assert again.status_code == 200  # confirming twice is harmless


def test_confirmation_link_expires_after_seven_days(client, ctx, outbox):
    subscribe(client, "late@example.com")
    link = confirm_link(outbox[0])
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        g.pop("csrf_token", None)  # requests share the test's app context and its g
        token = csrf_token(client, link)
        response = client.post(link, data={"csrf_token": token})
    assert response.status_code == 404, response.get_data(as_text=True)
    assert "expired" in response.get_data(as_text=True)
    assert subscriber("late@example.com").confirmed_at is None


def test_the_answer_is_the_same_for_known_new_and_invalid_looking_bots(client, ctx, outbox):
    create_subscriber(email="known@example.com")
    known = subscribe(client, "known@example.com").get_data(as_text=True)
    new = subscribe(client, "new@example.com").get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>|<input id="csrf_token"[^>]*>')
    assert strip.sub("", known) == strip.sub("", new)
    # Subscribing twice is idempotent: one row, and the known address just gets its manage link.
    assert db.session.scalar(db.select(db.func.count(Subscriber.id))) == 2
    subjects = {m["To"]: m["Subject"] for m in outbox}
    assert "already subscribed" in subjects["known@example.com"]
    assert "Confirm" in subjects["new@example.com"]


def test_honeypot_answers_like_success_and_stores_nothing(client, ctx, outbox):
    response = subscribe(client, "bot@example.com", website="http://spam.example")
    assert "Check your inbox" in response.get_data(as_text=True)
    assert subscriber("bot@example.com") is None and outbox == []


def test_invalid_addresses_are_refused_with_a_message(client, ctx, outbox):
    response = subscribe(client, "not-an-address")
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True) and outbox == []


def test_subscribing_is_rate_limited_per_address_and_per_ip(app, client):
    codes = [subscribe(client, "same@example.com").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    app.config["SUBSCRIBE_RATE_LIMIT"] = "2 per hour"
    other = app.test_client()
    codes = [subscribe(other, f"u{i}@example.com").status_code for i in range(3)]
    assert 429 in codes


@pytest.fixture
def member(ctx):
    return personal_token(create_subscriber(email="member@example.com"))


def test_get_on_the_unsubscribe_link_never_unsubscribes(client, member):
    token = member
    page = client.get(f"/u/{token}")
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert subscriber("member@example.com").unsubscribed_at is None


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_post_unsubscribes_without_cookie_or_csrf(app, member, encoding):
    token = member
    client = app.test_client(use_cookies=False)
    kwargs = {"data": {"List-Unsubscribe": "One-Click"}}
    if encoding == "multipart":
        kwargs["content_type"] = "multipart/form-data"
    first = client.post(f"/u/{token}", **kwargs)
    assert first.status_code == 200 and "Location" not in first.headers
    assert first.mimetype == "text/html"
    assert subscriber("member@example.com").unsubscribed_at is not None
    again = client.post(f"/u/{token}", **kwargs)
    assert again.status_code == 200  # idempotent
    assert "Set-Cookie" not in first.headers


def test_bad_tokens_are_refused(client, member):
    token = member
    forged = token[:32] + "A" * (len(token) - 32)
    assert client.post(f"/u/{forged}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert client.get(f"/manage/{forged}").status_code == 404
    assert subscriber("member@example.com").unsubscribed_at is None


def test_manage_page_changes_components(client, member):
    token = member
    api = create_component(slug="api", name="API")
    page = client.get(f"/manage/{token}")
    assert "member@example.com" in page.get_data(as_text=True)
    data = {"components": [str(api.id)], "csrf_token": csrf_token(client, f"/manage/{token}")}
    assert client.post(f"/manage/{token}", data=data).status_code == 200
    assert [c.slug for c in subscriber("member@example.com").components] == ["api"]


def test_unsubscribed_people_can_come_back_through_double_opt_in(client, member, outbox):
    token = member
    client.post(f"/u/{token}")
    subscribe(client, "member@example.com")
    assert not subscriber("member@example.com").is_active
    link = confirm_link(outbox[-1])
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert subscriber("member@example.com").is_active


def test_every_public_page_links_to_subscribe(client, ctx):
    assert 'href="/subscribe"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("suffix", ["é", "ß" * 40, "\u2028"])
def test_non_ascii_tokens_are_refused_not_crashed_on(client, member, suffix):
    forged = member[:32] + suffix
    assert client.get(f"/u/{forged}").status_code == 404
    assert client.post(f"/u/{forged}").status_code == 404
    assert client.get(f"/manage/{forged}").status_code == 404
    assert subscriber("member@example.com").unsubscribed_at is None


def test_the_per_address_limit_counts_every_spelling_of_one_address(client, ctx, outbox):
    spellings = [
        "bomb@example.com",
        "BOMB@EXAMPLE.COM",
        "bomb@\uff45xample.com",  # a full-width e
        "bomb@example\u3002com",  # an ideographic full stop
        "\uff42omb@example.com",  # a full-width b
    ]
    codes = [subscribe(client, email).status_code for email in spellings]
    assert codes == [200, 200, 200, 429, 429]
    assert {m["To"] for m in outbox} <= {"bomb@example.com", "\uff42omb@example.com"}
