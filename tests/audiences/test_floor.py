"""The publisher's SQL floor gives the rule's answer, row for row, and keeps today's page."""

from app.audiences import floor
from app.audiences.readers import floor_viewer
from app.audiences.rule import visible
from app.extensions import db
from app.models import Component, ComponentGroup, Incident, PageAudience
from tests.factories import create_component, create_incident


def _world():
    api = create_component(slug="api", name="API")
    dedicated = create_component(slug="dedicated", name="Dedicated", is_public=False)
    legacy = create_component(slug="legacy", name="Legacy", is_public=False)
    eu = create_component(slug="eu-db", name="EU DB", group="EU", is_public=False)
    cases = {
        "none": create_incident(title="Whole service"),
        "public": create_incident(title="Public", components=[api]),
        "mixed": create_incident(title="Mixed", components=[api, dedicated]),
        "private": create_incident(title="Private", components=[dedicated]),
        "hidden": create_incident(title="Hidden nobody's", components=[legacy]),
        "hidden+private": create_incident(title="Both", components=[legacy, dedicated]),
        "group": create_incident(title="EU", components=[eu]),
        "internal": create_incident(title="Internal", components=[api], is_public=False),
    }
    return cases, dedicated


def _floor_rows():
    ids = set(db.session.scalars(db.select(Incident.id).where(floor.floor_incidents())))
    comps = set(db.session.scalars(db.select(Component.id).where(floor.floor_components())))
    return ids, comps


def _rule_rows():
    viewer = floor_viewer()
    incidents = db.session.scalars(db.select(Incident)).all()
    components = db.session.scalars(db.select(Component)).all()
    return (
        {i.id for i in incidents if visible(viewer, i)},
        {c.id for c in components if visible(viewer, c)},
    )


def test_the_sql_floor_is_the_rules_floor_with_and_without_audiences(ctx):
    cases, dedicated = _world()
    shown = {name for name, i in cases.items() if i.id in _floor_rows()[0]}
    assert shown == {"none", "public", "mixed", "private", "hidden", "hidden+private", "group"}
    assert _floor_rows() == _rule_rows()

    eu_group = db.session.scalar(db.select(ComponentGroup).filter_by(name="EU"))
    db.session.add(PageAudience(name="Enterprise", components=[dedicated]))
    db.session.add(PageAudience(name="Europe", groups=[eu_group]))
    db.session.commit()
    shown = {name for name, i in cases.items() if i.id in _floor_rows()[0]}
    assert shown == {"none", "public", "mixed", "hidden"}
    assert _floor_rows() == _rule_rows()


def test_the_floor_viewer_reads_what_audiences_name(ctx):
    _, dedicated = _world()
    assert floor_viewer().claimed_components == frozenset()
    db.session.add(PageAudience(name="Enterprise", components=[dedicated]))
    db.session.commit()
    assert floor_viewer().claimed_components == {dedicated.id}
