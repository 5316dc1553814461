"""Feed tokens, hostile: a token opens exactly its viewer's feeds and JSON; a forged, altered,
revoked or another viewer's token, or one on a page, opens the public floor, never a set."""

import re

from flask import g

from app.audiences.tokens import live_tokens
from app.extensions import db
from app.models import AuditEvent, FeedToken, Role
from tests.audiences.audience_world import forget, viewer_client, world
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user

__all__ = ["world"]


def _csrf(client, url):
    # The test's app context is shared by its requests, and Flask-WTF keeps the last token
    # made in ``g``: another client must get one made for its own session.
    g.pop("csrf_token", None)
    return csrf_token(client, url)


def _make(client, label="feed reader"):
    page = client.post(
        "/viewer/tokens", data={"csrf_token": _csrf(client, "/viewer/tokens"), "label": label}
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    return re.search(r"/history\.atom\?token=([\w-]+)", page.get_data(as_text=True)).group(1)


def _forget():
    forget()
    live_tokens.forget()


def test_a_token_opens_its_viewers_feeds_and_json_and_nothing_else(app, world):
    token = _make(viewer_client(app, "bo@alpha.example"))
    reader = app.test_client()  # a feed reader: no cookie
    for path in ("/history.atom", "/history.rss", "/api/v2/summary.json"):
        got = reader.get(f"{path}?token={token}")
        assert b"Alpha_1 outage" in got.data, path
        assert b"Beta_1" not in got.data and b"Gamma_1" not in got.data, path
        assert got.headers["Cache-Control"] == "private, no-cache", path
    public_home = reader.get("/").data
    assert reader.get(f"/?token={token}").data == public_home  # pages: never by token
    own = f"/incidents/{world['Alpha']['incident'].public_id}"
    assert reader.get(f"{own}?token={token}").status_code == 404
    stored = db.session.scalars(db.select(FeedToken)).all()
    assert len(stored) == 1 and token not in repr(stored[0].__dict__)  # the hash only
    listed = viewer_client(app, "bo@alpha.example").get("/viewer/tokens")
    assert "feed reader" in listed.get_data(as_text=True) and token not in listed.get_data(
        as_text=True
    )


def test_forged_altered_and_odd_tokens_open_the_public_floor(app, world):
    token = _make(viewer_client(app, "bo@alpha.example"))
    reader = app.test_client()
    public = reader.get("/history.atom").data
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for odd in ("forged", flipped, token + "x", token * 3, "", "%00", token.upper()):
        got = reader.get("/history.atom", query_string={"token": odd})
        assert got.status_code == 200 and got.data == public, odd


def test_a_revoked_token_opens_the_public_floor_and_only_its_viewer_may_revoke_it(app, world):
    alpha = viewer_client(app, "bo@alpha.example")
    token = _make(alpha)
    row = db.session.scalar(db.select(FeedToken))
    reader = app.test_client()
    beta = viewer_client(app, "cy@beta.example")
    token_form = _csrf(beta, "/viewer/tokens")
    refused = beta.post(f"/viewer/tokens/{row.public_id}/revoke", data={"csrf_token": token_form})
    assert refused.status_code == 404
    assert b"Alpha_1" in reader.get(f"/history.atom?token={token}").data
    alpha.post(
        f"/viewer/tokens/{row.public_id}/revoke",
        data={"csrf_token": _csrf(alpha, "/viewer/tokens")},
    )
    assert b"Alpha_1" not in reader.get(f"/history.atom?token={token}").data  # at once, here
    _forget()  # another process, within the interval
    assert b"Alpha_1" not in reader.get(f"/history.atom?token={token}").data
    actions = {e.action for e in db.session.scalars(db.select(AuditEvent))}
    assert {"viewer.feed_token_issue", "viewer.feed_token_revoke"} <= actions


def test_another_viewers_token_never_opens_their_set_for_a_signed_in_viewer(app, world):
    token = _make(viewer_client(app, "bo@alpha.example"))
    beta = viewer_client(app, "cy@beta.example")
    got = beta.get(f"/history.atom?token={token}")
    assert b"Alpha_1" not in got.data and b"Beta_1" not in got.data  # the public floor


def test_a_member_removed_loses_what_their_token_opened(app, world):
    token = _make(viewer_client(app, "bo@alpha.example"))
    world["Alpha"]["audience"].admissions = []
    db.session.commit()
    _forget()
    assert b"Alpha_1" not in app.test_client().get(f"/history.atom?token={token}").data


def test_admins_list_and_revoke_any_token_and_viewers_cannot_reach_that_page(app, world):
    token = _make(viewer_client(app, "bo@alpha.example"))
    row = db.session.scalar(db.select(FeedToken))
    viewer = viewer_client(app, "bo@alpha.example")
    assert viewer.get("/admin/audiences/feed-tokens").status_code == 302  # to staff sign-in
    create_user(email="ad@crier.example", role=Role.admin)
    admin = app.test_client()
    g.pop("csrf_token", None)
    login(admin, "ad@crier.example", PASSWORD)
    listed = admin.get("/admin/audiences/feed-tokens")
    assert listed.status_code == 200 and "bo@alpha.example" in listed.get_data(as_text=True)
    assert token not in listed.get_data(as_text=True)
    admin.post(
        f"/admin/audiences/feed-tokens/{row.public_id}/revoke",
        data={"csrf_token": _csrf(admin, "/admin/audiences/feed-tokens")},
    )
    assert b"Alpha_1" not in app.test_client().get(f"/history.atom?token={token}").data
    db.session.expire_all()
    assert db.session.scalar(db.select(FeedToken)).revoked_at is not None
