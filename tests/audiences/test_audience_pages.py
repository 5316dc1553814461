"""Each set of audiences' status page: published once per set, served only to its viewers
with Cache-Control: private, and the leak scan: no page carries another audience's words."""

import pytest

from app.audiences.membership import current_membership
from app.audiences.sessions import COOKIE, cookie_for, revoked
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    AudienceArtifact,
    AudienceKind,
    PageAudience,
    PublishedArtifact,
    ViewerSession,
)
from app.publishing.audience_pages import homes
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident

NAMES = ["Alpha", "Beta", "Gamma"]


def _forget():
    for cache in (current_membership, homes, revoked):
        cache.forget()


@pytest.fixture
def world(ctx):
    _forget()
    create_component(slug="api", name="Public API")
    create_incident(title="Public_1 slowness", components=[], updates=[("Public_1 text.", "")])
    made = {}
    for name in NAMES:
        marker = f"{name}_1"
        component = create_component(slug=name.lower(), name=f"{marker} cluster", is_public=False)
        incident = create_incident(
            title=f"{marker} outage",
            components=[component],
            updates=[(f"{marker} external words.", f"{marker} internal words.")],
        )
        audience = PageAudience(
            name=f"{name} Corp",
            kind=AudienceKind.internal if name == "Gamma" else AudienceKind.customer,
            components=[component],
            admissions=[
                AudienceAdmission(kind=AdmissionKind.domain, value=f"{name.lower()}.example")
            ],
        )
        db.session.add(audience)
        db.session.commit()
        made[name] = {
            "marker": marker,
            "audience": audience,
            "secrets": [
                marker.encode(),
                component.public_id.encode(),
                incident.public_id.encode(),
                f"{name} Corp".encode(),
            ],
        }
    # One person listed in Alpha and in Beta: the set {Alpha, Beta} has its own page.
    db.session.add(
        AudienceAdmission(
            audience=made["Alpha"]["audience"], kind=AdmissionKind.email, value="both@else.example"
        )
    )
    db.session.add(
        AudienceAdmission(
            audience=made["Beta"]["audience"], kind=AdmissionKind.email, value="both@else.example"
        )
    )
    db.session.commit()
    publish_site()
    return made


def _viewer_client(app, email):
    session = ViewerSession(email=email)
    db.session.add(session)
    db.session.commit()
    client = app.test_client()
    with app.test_request_context():
        client.set_cookie(COOKIE, cookie_for(session))
    return client


def test_the_leak_scan_finds_no_audiences_words_on_another_audiences_page(world):
    rows = db.session.scalars(db.select(AudienceArtifact)).all()
    by_id = {w["audience"].public_id: name for name, w in world.items()}
    sets = {frozenset(by_id[i] for i in row.key.split(",")): row.body for row in rows}
    assert set(sets) == {
        frozenset({"Alpha"}),
        frozenset({"Beta"}),
        frozenset({"Gamma"}),
        frozenset({"Alpha", "Beta"}),
    }
    hits = []
    for members, body in sets.items():
        assert b"Public_1" in body  # the floor is everyone's
        for name, w in world.items():
            mine = name in members
            if mine:
                assert f"{w['marker']} cluster".encode() in body, (members, name)
                assert f"{w['marker']} outage".encode() in body, (members, name)
            else:
                hits += [(sorted(members), name, s) for s in w["secrets"] if s in body]
            assert b"internal words" not in body or "Gamma" in members
    for row in db.session.scalars(db.select(PublishedArtifact)):
        for encoded in (row.body, row.body_gzip or b"", row.body_br or b""):
            for name, w in world.items():
                hits += [("public", row.path, name, s) for s in w["secrets"] if s in encoded]
    assert hits == []


def test_a_viewer_gets_their_audiences_page_privately_and_others_the_public_one(app, world):
    alpha = _viewer_client(app, "bo@alpha.example").get("/")
    assert alpha.status_code == 200
    assert b"Alpha_1 outage" in alpha.data and b"Beta_1" not in alpha.data
    assert alpha.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in alpha.headers["Vary"]
    again = _viewer_client(app, "bo@alpha.example")
    assert again.get("/", headers={"If-None-Match": alpha.headers["ETag"]}).status_code == 304
    assert b"Alpha_1 outage" in again.get("/?from=feed").data  # Flask's view, same page
    assert again.head("/").status_code == 200
    both = _viewer_client(app, "both@else.example").get("/")
    assert b"Alpha_1 outage" in both.data and b"Beta_1 outage" in both.data
    assert b"Gamma_1" not in both.data

    public = app.test_client().get("/")
    assert b"Public_1" in public.data and b"Alpha_1" not in public.data
    assert "public" in public.headers["Cache-Control"]
    for email in ("eve@nowhere.example", "bo@alpha.example.evil"):
        other = _viewer_client(app, email).get("/")
        assert other.data == public.data
    forged = app.test_client()
    forged.set_cookie(COOKIE, "eyJzIjoiYSIsImUiOiJib0BhbHBoYS5leGFtcGxlIiwidCI6MX0.forged")
    assert forged.get("/").data == public.data


def test_a_member_removed_is_locked_out_within_the_check_interval(app, world):
    client = _viewer_client(app, "bo@alpha.example")
    assert b"Alpha_1 outage" in client.get("/").data
    audience = world["Alpha"]["audience"]
    audience.admissions = []
    db.session.commit()
    _forget()  # the interval passed (PUBLISH_CHECK_SECONDS)
    page = client.get("/")
    assert b"Alpha_1" not in page.data and b"Public_1" in page.data
