"""The one rule of who may see what, on models never stored: every case, and hostile ones."""

import pytest

from app.audiences.rule import PUBLIC, Sight, UpdateText, Viewer, viewer_of, visible
from app.models import Component, ComponentStatus, Incident, IncidentComponent, PageAudience, Update

GROUP_EU = 7


def component(id_, *, public=True, group_id=None):
    return Component(id=id_, slug=f"c{id_}", name=f"C{id_}", is_public=public, group_id=group_id)


def incident(*components, public=True, added=(), internal="", external="Looking into it."):
    found = Incident(id=100, title="Trouble", is_public=public)
    for c in components:
        found.components.append(IncidentComponent(component=c, status=ComponentStatus.major_outage))
    for audience_id in added:
        found.added_audiences.append(PageAudience(id=audience_id, name=f"A{audience_id}"))
    found.updates.append(Update(external_body=external, internal_body=internal, state="identified"))
    return found


API = component(1)
PRIVATE = component(2, public=False)  # Enterprise's
HIDDEN = component(3, public=False)  # nobody's: hidden from everyone
IN_EU = component(4, public=False, group_id=GROUP_EU)

ENTERPRISE = Sight(id=10, component_ids=frozenset({2}))
EU = Sight(id=11, group_ids=frozenset({GROUP_EU}))
STAFF = Sight(id=12, internal=True, component_ids=frozenset({2}))
STAFF_PLAIN = Sight(id=13, internal=True)
CLAIMED = {"claimed_components": {2}, "claimed_groups": {GROUP_EU}}
FLOOR = viewer_of((), **CLAIMED)


def as_(*sights):
    return viewer_of(sights, **CLAIMED)


def test_the_floor_sees_public_components_only():
    assert visible(FLOOR, API)
    assert not visible(FLOOR, PRIVATE)
    assert not visible(FLOOR, HIDDEN)
    assert not visible(FLOOR, IN_EU)


def test_an_audience_sees_its_components_and_its_groups_components():
    assert visible(as_(ENTERPRISE), PRIVATE)
    assert not visible(as_(ENTERPRISE), IN_EU)
    assert visible(as_(EU), IN_EU)
    assert not visible(as_(EU), PRIVATE)
    assert visible(as_(ENTERPRISE, EU), PRIVATE) and visible(as_(ENTERPRISE, EU), IN_EU)
    assert not visible(as_(ENTERPRISE, EU, STAFF), HIDDEN)


def test_a_public_incident_on_a_public_component_is_everyones():
    found = incident(API, PRIVATE)
    for viewer in (FLOOR, as_(ENTERPRISE), as_(EU), as_(STAFF)):
        assert visible(viewer, found)


def test_an_incident_on_an_audiences_components_only_is_that_audiences():
    found = incident(PRIVATE)
    assert not visible(FLOOR, found)
    assert visible(as_(ENTERPRISE), found)
    assert not visible(as_(EU), found)
    assert visible(as_(STAFF), found)
    assert not visible(as_(STAFF_PLAIN), found)


def test_an_incident_on_a_hidden_component_nobody_names_stays_on_the_floor_as_today():
    """With no audience naming its components, the floor shows it exactly as before."""
    assert visible(FLOOR, incident(HIDDEN))
    assert visible(PUBLIC, incident(PRIVATE))  # no audience names anything: today's page
    assert not visible(FLOOR, incident(HIDDEN, PRIVATE))  # one of them is an audience's


def test_an_incident_with_no_components_is_on_the_floor_when_public():
    assert visible(FLOOR, incident())
    assert not visible(FLOOR, incident(public=False))


def test_an_internal_only_incident_reaches_internal_audiences_only():
    found = incident(API, PRIVATE, public=False, added=(10,))
    assert not visible(FLOOR, found)
    assert not visible(as_(ENTERPRISE), found)  # added by hand, and still not: customer
    assert visible(as_(STAFF), found)
    assert visible(as_(STAFF_PLAIN), found)  # sees the public API it affects
    assert not visible(as_(STAFF_PLAIN), incident(PRIVATE, public=False))
    assert visible(as_(STAFF_PLAIN), incident(public=False))  # about the whole service


def test_the_lead_adds_an_audience_by_hand():
    found = incident(IN_EU, added=(10,))
    assert visible(as_(ENTERPRISE), found)
    assert visible(as_(EU), found)
    assert not visible(FLOOR, found)
    assert not visible(as_(Sight(id=99)), found)


def test_external_text_follows_the_incident_internal_text_needs_an_internal_audience():
    found = incident(PRIVATE, internal="DB primary failed over.")
    external, internal = (UpdateText(found.updates[0], internal=flag) for flag in (False, True))
    assert not visible(FLOOR, external)
    assert visible(as_(ENTERPRISE), external)
    assert not visible(as_(ENTERPRISE), internal)
    assert visible(as_(STAFF), internal)
    assert not visible(as_(STAFF_PLAIN), internal)  # internal, but the incident is not theirs
    public = incident(API, internal="Rollback under way.")
    assert visible(FLOOR, UpdateText(public.updates[0]))
    assert not visible(FLOOR, UpdateText(public.updates[0], internal=True))
    assert visible(as_(STAFF_PLAIN), UpdateText(public.updates[0], internal=True))


def test_an_empty_or_blank_text_is_never_shown():
    found = incident(API, external=" \n\t", internal="")
    for viewer in (FLOOR, as_(STAFF)):
        assert not visible(viewer, UpdateText(found.updates[0]))
        assert not visible(viewer, UpdateText(found.updates[0], internal=True))


def test_an_update_without_its_incident_is_not_shown():
    orphan = Update(external_body="Loose text.", internal_body="Loose note.", state="identified")
    assert not visible(as_(STAFF), UpdateText(orphan))
    assert not visible(as_(STAFF), UpdateText(orphan, internal=True))


def test_unsaved_components_match_no_audience_by_a_missing_id_or_group():
    """A component not stored yet (no id, no group) never matches an id set or a group set,
    even a set that holds None."""
    unsaved = Component(slug="new", name="New", is_public=False)
    hostile = Sight(id=1, component_ids=frozenset({None}), group_ids=frozenset({None}))
    assert not visible(viewer_of([hostile]), unsaved)
    assert visible(viewer_of([hostile], claimed_components={None}), incident(unsaved))


@pytest.mark.parametrize("thing", [None, "incident", 3, object(), {"is_public": True}])
def test_anything_else_is_refused_not_shown(thing):
    with pytest.raises(TypeError):
        visible(FLOOR, thing)


@pytest.mark.parametrize("viewer", [None, "admin", ENTERPRISE, [ENTERPRISE], {"internal": True}])
def test_a_viewer_is_a_viewer(viewer):
    with pytest.raises(TypeError):
        visible(viewer, API)


def test_a_viewer_of_duplicate_audiences_is_one_of_each_and_junk_is_dropped():
    viewer = viewer_of([STAFF, ENTERPRISE, STAFF, "staff", None])
    assert viewer.audiences == (ENTERPRISE, STAFF)
    assert Viewer().is_anonymous and not viewer.is_anonymous


def test_a_forms_draft_is_judged_exactly_as_the_stored_incident():
    """The console's "who will see it" asks ``sees_draft`` for an incident not yet stored (an
    unsaved incident cannot hold hand-added audiences): it must agree with ``visible``."""
    from itertools import combinations

    from app.audiences.rule import sees_draft

    everything = (API, PRIVATE, HIDDEN, IN_EU)
    viewers = [FLOOR, as_(ENTERPRISE), as_(EU), as_(STAFF), as_(STAFF_PLAIN), as_(ENTERPRISE, EU)]
    checked = 0
    for size in range(len(everything) + 1):
        for parts in combinations(everything, size):
            for public in (True, False):
                for added in ((), (11,), (13,)):
                    stored = incident(*parts, public=public, added=added)
                    bare = incident(*parts, public=public)
                    for viewer in viewers:
                        assert sees_draft(viewer, bare, added) == visible(viewer, stored)
                        checked += 1
    assert checked == 16 * 2 * 3 * len(viewers)
    with pytest.raises(TypeError):
        sees_draft(FLOOR, API)
