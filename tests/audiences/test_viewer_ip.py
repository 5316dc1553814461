"""An audience's IP ranges admit a visitor from them without sign-in: the client address as
the app determines it (X-Forwarded-For believed only with TRUSTED_PROXIES), through the
published-site layer, with no query per read; a signed-in viewer from a range gets both."""

import pytest
from sqlalchemy import event

from app.audiences.membership import current_membership
from app.audiences.sessions import COOKIE, cookie_for, revoked
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    AudienceArtifact,
    PageAudience,
    ViewerSession,
)
from app.publishing.audience_cache import audience_artifacts as homes
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident
from tests.livestack import fetch

OFFICE = "198.51.100.0/24"


def _forget():
    for cache in (current_membership, homes, revoked):
        cache.forget()


def _world(extra_networks=()):
    _forget()
    create_component(slug="api", name="Public API")
    office = create_component(slug="office", name="Office_1 printers", is_public=False)
    create_incident(title="Office_1 outage", components=[office], updates=[("Office_1.", "")])
    partner = create_component(slug="partner", name="Partner_1 link", is_public=False)
    create_incident(title="Partner_1 outage", components=[partner], updates=[("Partner_1.", "")])
    db.session.add_all(
        [
            PageAudience(
                name="Office",
                components=[office],
                admissions=[
                    AudienceAdmission(kind=AdmissionKind.network, value=network)
                    for network in (OFFICE, "2001:db8:aa::/48", *extra_networks)
                ],
            ),
            PageAudience(
                name="Partner",
                components=[partner],
                admissions=[AudienceAdmission(kind=AdmissionKind.domain, value="partner.example")],
            ),
        ]
    )
    db.session.commit()
    publish_site()
    _forget()


@pytest.fixture
def office(ctx):
    _world()


def get(app, address, **headers):
    return app.test_client().get("/", environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_a_visitor_from_an_audiences_range_sees_its_page_without_signing_in(app, office):
    public = get(app, "192.0.2.1")
    assert b"Public API" in public.data and b"Office_1" not in public.data
    for address in ("198.51.100.7", "2001:db8:aa::1", "::ffff:198.51.100.9"):
        page = get(app, address)
        assert b"Office_1 outage" in page.data and b"Partner_1" not in page.data, address
        assert page.headers["Cache-Control"] == "private, no-cache"
    for address in ("198.51.101.7", "2001:db8:ab::1", "not-an-address", ""):
        assert get(app, address).data == public.data, address


def test_x_forwarded_for_is_believed_only_from_trusted_proxies(app, app_factory, office):
    spoofed = get(app, "192.0.2.1", **{"X-Forwarded-For": "198.51.100.7"})
    assert b"Office_1" not in spoofed.data  # TRUSTED_PROXIES=0: the header is anyone's
    behind = app_factory(TRUSTED_PROXIES=1)
    with behind.app_context():
        proxied = get(behind, "127.0.0.1", **{"X-Forwarded-For": "198.51.100.7"})
        assert b"Office_1 outage" in proxied.data
        forged = get(behind, "127.0.0.1", **{"X-Forwarded-For": "198.51.100.7, 192.0.2.1"})
        assert b"Office_1" not in forged.data  # the proxy appended the real client


def test_a_signed_in_viewer_from_a_range_gets_both_sets(app, office):
    session = ViewerSession(email="bo@partner.example")
    db.session.add(session)
    db.session.commit()
    client = app.test_client()
    with app.test_request_context():
        client.set_cookie(COOKIE, cookie_for(session))
    at_home = client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert b"Partner_1 outage" in at_home.data and b"Office_1" not in at_home.data
    at_office = client.get("/", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert b"Partner_1 outage" in at_office.data and b"Office_1 outage" in at_office.data
    keys = db.session.scalars(db.select(AudienceArtifact.key)).all()
    assert len(set(keys)) == 3  # Office, Partner, and both


def test_nested_ranges_give_the_union_of_the_ranges_around_an_address(ctx, app):
    _world(extra_networks=())
    inner = PageAudience(
        name="Lab",
        admissions=[AudienceAdmission(kind=AdmissionKind.network, value="198.51.100.128/25")],
    )
    db.session.add(inner)
    db.session.commit()
    _forget()
    membership = current_membership.get()
    office_id = db.session.scalar(db.select(PageAudience.public_id).filter_by(name="Office"))
    assert membership.key_for(address="198.51.100.200") == ",".join(
        sorted([office_id, inner.public_id])
    )
    assert membership.key_for(address="198.51.100.20") == office_id
    assert membership.key_for(address="198.51.100.200") in set(membership.keys())


def test_reading_by_address_costs_no_query_between_checks(app, office):
    app.config["PUBLISH_CHECK_SECONDS"] = 60
    get(app, "198.51.100.7")  # the ranges and pages are read once, and the public page
    get(app, "192.0.2.1")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for address in ("198.51.100.7", "192.0.2.1") * 50:
            assert get(app, address).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_range_admits_through_the_real_web_server(ctx, app, live_stack):
    _world(extra_networks=("127.0.0.1/32",))
    stack = live_stack(PUBLISH_CHECK_SECONDS=0).start_web(workers=1, threads=2)
    status, body, headers = fetch(stack.url + "/")
    assert status == 200 and "Office_1 outage" in body
    assert headers["Cache-Control"] == "private, no-cache"
    spoofed = fetch(stack.url + "/", headers={"X-Forwarded-For": "192.0.2.1"})[1]
    assert "Office_1 outage" in spoofed  # no trusted proxy: the header changes nothing
    office = db.session.scalar(db.select(PageAudience).filter_by(name="Office"))
    office.admissions = [a for a in office.admissions if a.value != "127.0.0.1/32"]
    db.session.commit()
    publish_site()
    assert "Office_1" not in fetch(stack.url + "/")[1]  # removed: public again
    assert "Traceback" not in stack.log("web")


def test_an_answer_kept_for_one_address_is_never_given_to_another(app, ctx):
    """The published-site layer keeps each request's set for one check interval: the answer
    for a cookie-less visitor from one audience's range must never be kept for a cookie-less
    visitor from another audience's range (that would serve one audience's page to the
    other's people)."""
    _forget()
    lab = create_component(slug="lab", name="Lab_1 cluster", is_public=False)
    create_incident(title="Lab_1 outage", components=[lab], updates=[("Lab_1.", "")])
    db.session.add(
        PageAudience(
            name="Lab",
            components=[lab],
            admissions=[AudienceAdmission(kind=AdmissionKind.network, value="203.0.113.0/24")],
        )
    )
    db.session.commit()
    _world()
    app.config["PUBLISH_CHECK_SECONDS"] = 60
    _forget()
    for _ in range(2):
        office = get(app, "198.51.100.7")
        assert b"Office_1 outage" in office.data and b"Lab_1" not in office.data
        lab_page = get(app, "203.0.113.5")
        assert b"Lab_1 outage" in lab_page.data and b"Office_1" not in lab_page.data
