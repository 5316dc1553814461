"""Creating, editing and deleting audiences: every check, audited, never a half-saved row."""

import pytest

from app.audiences.admissions import AudienceDraft, AudienceInvalid, check_draft, lines
from app.audiences.manage import create_audience, delete_audience, edit_audience
from app.core.audit import audit_events
from app.core.uow import unit_of_work
from app.extensions import db
from app.models import AdmissionKind, AudienceKind, PageAudience
from tests.factories import create_component, create_user


def _draft(**fields):
    return AudienceDraft(**({"name": "Enterprise EU"} | fields))


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"name": ""}, "name", "Give the audience a name"),
        ({"name": "x" * 1_000_000}, "name", "at most 120"),
        ({"name": "x" * 121}, "name", "at most 120"),
        ({"name": "Ent\x1b[31merprise"}, "name", "control characters"),
        ({"name": "Ent\u202eerprise"}, "name", "control characters"),
        ({"kind": "admin"}, "kind", "customer or internal"),
        ({"component_ids": ["1234567890123456789012345"]}, "component_ids", "no component"),
        ({"component_ids": ["' OR 1=1 --"]}, "component_ids", "no component"),
        ({"group_ids": ["x" * 13]}, "group_ids", "no component group"),
        ({"emails": ["not-an-address"]}, "emails", "not an email address"),
        ({"emails": ["a@" + "b" * 300 + ".com"]}, "emails", "at most 254"),
        ({"domains": ["gmail.com"]}, "domains", "free-mail domain"),
        ({"domains": ["@GMail.com."]}, "domains", "free-mail domain"),
        ({"domains": ["eu.outlook.com"]}, "domains", "free-mail domain"),
        ({"domains": ["exa mple.com"]}, "domains", "not a domain name"),
        ({"domains": ["*.example.com"]}, "domains", "not a domain name"),
        ({"domains": ["x" * 1_000_000]}, "domains", "at most 253"),
        ({"claims": ["team\x00eu"]}, "claims", "control characters"),
        ({"claims": ["x" * 256]}, "claims", "at most 255"),
        ({"networks": ["10.0.0.1/8"]}, "networks", "did you mean 10.0.0.0/8"),
        ({"networks": ["10.0.0.0/33"]}, "networks", "not an IP range"),
        ({"networks": ["300.1.1.1/32"]}, "networks", "not an IP range"),
        ({"networks": ["0.0.0.0/0"]}, "networks", "too wide"),
        ({"networks": ["::/0"]}, "networks", "too wide"),
        ({"networks": ["1" * 100]}, "networks", "not an IP range"),
        ({"emails": ["a@example.com"] * 501}, "emails", "At most 500"),
    ],
)
def test_a_bad_field_is_named_with_what_to_change(fields, field, says):
    with pytest.raises(AudienceInvalid) as caught:
        check_draft(_draft(**fields))
    assert says in caught.value.errors[field]
    assert len(caught.value.errors[field]) < 300  # never the megabyte echoed back


def test_every_bad_field_is_named_at_once():
    with pytest.raises(AudienceInvalid) as caught:
        check_draft(_draft(name="", domains=["gmail.com"], networks=["nope"]))
    assert set(caught.value.errors) == {"name", "domains", "networks"}


def test_a_good_draft_is_cleaned():
    clean = check_draft(
        _draft(
            kind="internal",
            emails=["Ana@Gmail.com", "ana@gmail.com"],
            domains=["@Example.COM.", "bücher.example"],
            claims=["team-eu"],
            networks=["192.0.2.0/24", "2001:DB8::/48"],
        )
    )
    assert clean.kind == AudienceKind.internal
    assert clean.admissions == (
        (AdmissionKind.email, "ana@gmail.com"),
        (AdmissionKind.domain, "example.com"),
        (AdmissionKind.domain, "xn--bcher-kva.example"),
        (AdmissionKind.claim, "team-eu"),
        (AdmissionKind.network, "192.0.2.0/24"),
        (AdmissionKind.network, "2001:db8::/48"),
    )


def test_lines_split_on_newlines_and_commas():
    assert lines(" a@example.com,\r\nb@example.com\n\n , ") == ["a@example.com", "b@example.com"]


def test_create_edit_delete_are_audited(ctx):
    admin = create_user(email="admin@example.com", role="admin")
    dedicated = create_component(slug="dedicated", name="Dedicated", is_public=False)
    with unit_of_work():
        audience = create_audience(
            _draft(component_ids=[dedicated.public_id], domains=["example.com"]), actor=admin
        )
    assert audience.components == [dedicated]
    assert audience.admitted(AdmissionKind.domain) == ["example.com"]
    with unit_of_work():
        edit_audience(audience, _draft(name="Enterprise", emails=["a@example.org"]), actor=admin)
    db.session.expire_all()
    audience = db.session.scalar(db.select(PageAudience))
    assert (audience.name, audience.components) == ("Enterprise", [])
    assert [(a.kind, a.value) for a in audience.admissions] == [("email", "a@example.org")]
    with unit_of_work():
        delete_audience(audience, actor=admin)
    assert db.session.scalar(db.select(PageAudience)) is None
    actions = [e.action for e in audit_events()][::-1]
    assert actions == ["audience.create", "audience.edit", "audience.delete"]


def test_an_unknown_component_or_a_taken_name_saves_nothing(ctx):
    admin = create_user(email="admin@example.com", role="admin")
    with unit_of_work():
        create_audience(_draft(), actor=admin)
    with pytest.raises(AudienceInvalid, match="already called"), unit_of_work():
        create_audience(_draft(), actor=admin)
    with pytest.raises(AudienceInvalid, match="no component"), unit_of_work():
        create_audience(_draft(name="Other", component_ids=["abcdefghijkl"]), actor=admin)
    assert [a.name for a in db.session.scalars(db.select(PageAudience))] == ["Enterprise EU"]


def test_the_lead_adds_audiences_to_an_incident_by_hand(ctx):
    from app.audiences.manage import set_incident_audiences
    from app.audiences.readers import sight_of, viewer_for
    from app.audiences.rule import visible
    from tests.factories import create_incident

    admin = create_user(email="admin@example.com", role="admin")
    lead = create_user(email="lead@example.com", role="lead")
    legacy = create_component(slug="legacy", name="Legacy", is_public=False)
    with unit_of_work():
        partners = create_audience(_draft(name="Partners"), actor=admin)
        staff = create_audience(_draft(name="Staff", kind="internal"), actor=admin)
    incident = create_incident(title="Legacy_1 down", components=[legacy])
    with unit_of_work():
        create_audience(_draft(name="Owners", component_ids=[legacy.public_id]), actor=admin)
    assert not visible(viewer_for([partners]), incident)
    with unit_of_work():
        set_incident_audiences(incident, [partners.public_id, partners.public_id], actor=lead)
    db.session.expire_all()
    assert visible(viewer_for([partners]), incident)
    assert sight_of(partners).id in {a.id for a in incident.added_audiences}
    assert not visible(viewer_for([]), incident)  # still not the public's
    incident.is_public = False  # internal-only: a customer audience added by hand sees nothing
    assert not visible(viewer_for([partners]), incident)
    assert not visible(viewer_for([staff]), incident)  # internal, but neither seen nor added
    events = [e for e in audit_events() if e.action == "incident.audiences"]
    assert [e.detail for e in events] == [{"added": ["Partners"]}]
    for bad in (["1234567890123456789012345"], ["abcdefghijkl"], [None]):
        with pytest.raises(AudienceInvalid, match="no audience"), unit_of_work():
            set_incident_audiences(incident, bad, actor=lead)
