"""Notifications follow visibility: the subscribers the fan-out selects in SQL are the ones the
audiences' rule lets see the incident, row for row; a stakeholder group tied to an audience is
told of what that audience sees."""

from app.audiences.readers import viewer_for
from app.audiences.rule import visible
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.dispatch import audiences_for, external_recipients
from app.fanout.reach import incident_reach
from app.fanout.sight import viewer_of_subscriber
from app.fanout.stakeholders import create_group, groups_for, internal_recipients
from app.fanout.subscribers import subscribe_viewer
from app.models import (
    AdmissionKind,
    Audience,
    AudienceAdmission,
    AudienceKind,
    ComponentGroup,
    PageAudience,
    Subscriber,
    Update,
)
from tests.factories import create_component, create_incident, create_subscriber


def _world():
    api = create_component(slug="api", name="API")
    dedicated = create_component(slug="dedicated", name="Dedicated", is_public=False)
    legacy = create_component(slug="legacy", name="Legacy", is_public=False)
    eu = create_component(slug="eu-db", name="EU DB", group="EU", is_public=False)
    eu_group = db.session.scalar(db.select(ComponentGroup).filter_by(name="EU"))
    enterprise = PageAudience(
        name="Enterprise",
        components=[dedicated],
        admissions=[
            AudienceAdmission(kind=AdmissionKind.email, value="cto@corp.example"),
            AudienceAdmission(kind=AdmissionKind.domain, value="ent.example"),
        ],
    )
    europe = PageAudience(
        name="Europe",
        groups=[eu_group],
        admissions=[AudienceAdmission(kind=AdmissionKind.domain, value="xn--bcher-kva.example")],
    )
    staff = PageAudience(
        name="Staff",
        kind=AudienceKind.internal,
        admissions=[AudienceAdmission(kind=AdmissionKind.domain, value="staff.example")],
    )
    db.session.add_all([enterprise, europe, staff])
    db.session.commit()
    incidents = {
        "none": create_incident(title="Whole service"),
        "public": create_incident(title="Public", components=[api]),
        "mixed": create_incident(title="Mixed", components=[api, dedicated]),
        "private": create_incident(title="Private", components=[dedicated]),
        "hidden": create_incident(title="Hidden nobody's", components=[legacy]),
        "group": create_incident(title="EU", components=[eu]),
        "internal": create_incident(title="Internal", components=[api], is_public=False),
        "internal-private": create_incident(
            title="Internal private", components=[dedicated], is_public=False
        ),
    }
    incidents["added"] = create_incident(title="Added", components=[dedicated])
    incidents["added"].added_audiences = [europe]  # the lead added Europe by hand
    db.session.commit()
    create_subscriber(email="public@example.com")
    create_subscriber(email="listed@ent.example")  # admitted, but not a viewer's subscription
    for email in (
        "cto@corp.example",
        "ops@ent.example",
        "leser@bücher.example",
        "ann@staff.example",
        "gone@nowhere.example",  # a viewer whose audience dropped them
    ):
        with unit_of_work():
            subscribe_viewer(email)
    return incidents, {"enterprise": enterprise, "europe": europe, "staff": staff}


def _selected(incident) -> set[str]:
    return {s.email for s in db.session.scalars(external_recipients(incident))}


def _by_rule(incident) -> set[str]:
    subs = db.session.scalars(db.select(Subscriber)).all()
    return {s.email for s in subs if visible(viewer_of_subscriber(s), incident)}


def test_the_subscribers_selected_are_those_the_rule_lets_see_each_incident(ctx):
    incidents, _ = _world()
    everyone = {s.email for s in db.session.scalars(db.select(Subscriber))}
    viewers = {"cto@corp.example", "ops@ent.example", "leser@bücher.example", "ann@staff.example"}
    for name, incident in incidents.items():
        assert _selected(incident) == _by_rule(incident), name
    expected = {
        "none": everyone,
        "public": everyone,
        "mixed": everyone,
        "hidden": everyone,
        "private": {"cto@corp.example", "ops@ent.example"},
        "group": {"leser@bücher.example"},
        "internal": {"ann@staff.example"},
        "added": {"cto@corp.example", "ops@ent.example", "leser@bücher.example"},
        "internal-private": set(),  # Staff names no component; Enterprise is no internal one
    }
    assert {name: _selected(i) for name, i in incidents.items()} == expected
    assert viewers < everyone


def test_an_incident_nobody_may_see_has_no_external_dispatch(ctx):
    incident = create_incident(title="Quiet", is_public=False)
    update = Update(incident=incident, state="investigating", external_body="Words.", notify=True)
    db.session.add(update)
    db.session.flush()
    assert audiences_for(update) == []  # no internal audience: the external text goes nowhere
    db.session.add(PageAudience(name="Staff", kind=AudienceKind.internal))
    db.session.commit()
    assert audiences_for(update) == [Audience.external]


def test_a_group_tied_to_an_audience_hears_what_that_audience_sees(ctx):
    incidents, audiences = _world()
    with unit_of_work():
        tied = create_group(name="Enterprise desk", emails="desk@corp.example", min_severity="SEV5")
        tied.audience = audiences["enterprise"]
        create_group(name="Support", emails="help@corp.example", min_severity="SEV5")
    db.session.commit()
    member = viewer_for([audiences["enterprise"]])
    for name, incident in incidents.items():
        names = {g.name for g in groups_for(incident)}
        assert ("Enterprise desk" in names) == visible(member, incident), name
        assert "Support" in names, name
    assert [e for e, _ in internal_recipients(incidents["group"])] == ["help@corp.example"]
    assert [e for e, _ in internal_recipients(incidents["private"])] == [
        "desk@corp.example",
        "help@corp.example",
    ]


def test_the_consoles_count_for_an_incident_is_who_the_rule_lets_see_it(ctx):
    incidents, audiences = _world()
    with unit_of_work():
        tied = create_group(name="Enterprise desk", emails="desk@corp.example", min_severity="SEV5")
        tied.audience = audiences["enterprise"]
    db.session.commit()
    for name, incident in incidents.items():
        counted = incident_reach(incident)
        assert counted.subscribers["email"] == len(_selected(incident)), name
        assert [g for g, _ in counted.groups] == [g.name for g in groups_for(incident)], name
    assert incident_reach(incidents["group"]).subscribers["email"] == 1


def test_an_import_never_gives_a_public_subscriber_a_hidden_component(ctx):
    from app.fanout.subscriber_csv import import_subscribers

    create_component(slug="api", name="API")
    create_component(slug="vault", name="Vault", is_public=False)
    with unit_of_work():
        result = import_subscribers("a@example.com,vault\nb@example.com,api\n", consented=True)
    assert result.created == 1 and "Row 1" in result.errors[0] and "vault" in result.errors[0]
    assert [s.email for s in db.session.scalars(db.select(Subscriber))] == ["b@example.com"]
