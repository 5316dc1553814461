"""Hostile input over the public forms and personal links: subscribe, confirm, manage,
unsubscribe and sign in. Below 500 with a message, and a refused submit writes nothing."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.subscribers import subscribe
from app.models import Subscriber
from tests.conftest import csrf_token
from tests.factories import create_component, create_settings, create_user
from tests.hostile.helpers import FORMS, assert_clear_answer, field, hostile_text, submit, with_huge


@pytest.fixture
def public(client, ctx):
    create_settings()
    component = create_component(slug="api", name="API")
    create_user(email="lead@example.com")
    with unit_of_work():
        subscribe("reader@example.com", component_ids=())
    db.session.commit()
    return {
        "component": str(component.id),
        "token": csrf_token(client, "/subscribe"),
        "subscriber": db.session.scalar(db.select(Subscriber.id)),
    }


def _path_token():
    """A token as a URL segment: arbitrary text, 25 digits, non-ASCII digits, huge."""
    return st.one_of(hostile_text(), st.just("9" * 25), st.text("²٣0123456789", max_size=30))


FORMS_ = {
    "/subscribe": lambda p: {
        "email": field("new@example.com", "reader@example.com", "a@b", "x@[127.0.0.1]"),
        "components": field(p["component"], "9" * 25, "²"),
        "website": field(""),
    },
    "/login": lambda p: {
        "email": field("lead@example.com"),
        "password": field("correct horse battery staple", "wrong"),
    },
}


@pytest.mark.parametrize("url", sorted(FORMS_))
@FORMS
@given(data=st.data())
def test_hostile_public_form(client, public, url, data):
    values = with_huge(data, data.draw(st.fixed_dictionaries(FORMS_[url](public))))
    values["csrf_token"] = data.draw(st.one_of(st.just(public["token"]), field()), label="csrf")
    twice = data.draw(st.sampled_from([False] * 3 + [True]))
    # The subscribe form answers a taken form with a 200 page ("check your inbox").
    submit(client, url, values, twice=twice, done=(200, 302) if url == "/subscribe" else (302,))


@pytest.mark.parametrize("prefix", ["/confirm/", "/manage/", "/u/"])
@FORMS
@given(token=_path_token(), components=field("1", "9" * 25), method=st.sampled_from("GP"))
def test_hostile_personal_links(client, public, prefix, token, components, method):
    url = prefix + quote(token.encode("utf-8", "surrogatepass"), safe="")
    if method == "G":
        assert_clear_answer(client.get(url), url)
    else:
        fields = {"csrf_token": public["token"], "components": components}
        submit(client, url, fields, done=(200,))
