import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.components import (
    all_components,
    change_component_status,
    create_component,
    create_group,
    delete_component,
    delete_group,
    edit_component,
    move_component,
    rename_group,
)
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident, resolve_incident
from app.models import Component, ComponentStatus, ComponentStatusChange
from tests.factories import create_user


@pytest.fixture
def admin(ctx):
    return create_user(email="admin@example.com", role="admin")


def test_components_are_created_in_order_with_a_slug(admin):
    with unit_of_work():
        group = create_group(name="Core", actor=admin)
    with unit_of_work():
        api = create_component(name="Public API", actor=admin, group_id=group.public_id)
    with unit_of_work():
        web = create_component(name="Web", actor=admin, group_id=group.public_id)
    assert api.slug == "public-api" and api.position < web.position
    assert db.session.scalar(db.select(ComponentStatusChange.status).filter_by(component_id=api.id))
    with unit_of_work():
        move_component(web, direction=-1, actor=admin)
    assert [c.name for c in all_components()] == ["Web", "Public API"]
    with pytest.raises(ServiceError, match="end"), unit_of_work():
        move_component(web, direction=-1, actor=admin)


def test_editing_renames_hides_and_regroups(admin):
    with unit_of_work():
        api = create_component(name="API", actor=admin)
    with unit_of_work():
        group = create_group(name="Core", actor=admin)
    with unit_of_work():
        edit_component(api, name="REST API", actor=admin, group_id=group.public_id, is_public=False)
    assert (api.name, api.group, api.is_public) == ("REST API", group, False)
    with unit_of_work():
        rename_group(group, name="Platform", actor=admin)
    with unit_of_work():
        delete_group(group, actor=admin)
    assert api.group is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": ""}, "name"), ({"slug": "Bad Slug!"}, "slug"), ({"group_id": "nope"}, "group_id")],
)
def test_bad_components_are_refused(admin, fields, field):
    with pytest.raises(ServiceError) as caught, unit_of_work():
        create_component(**{"name": "API", "actor": admin} | fields)
    assert caught.value.field == field


def test_slugs_and_group_names_are_unique(admin):
    with unit_of_work():
        create_component(name="API", actor=admin)
    with pytest.raises(ServiceError, match="already uses"), unit_of_work():
        create_component(name="API", actor=admin)
    with unit_of_work():
        create_group(name="Core", actor=admin)
    with pytest.raises(ServiceError, match="already a group"), unit_of_work():
        create_group(name="Core", actor=admin)


def test_a_direct_status_change_is_recorded(admin):
    with unit_of_work():
        api = create_component(name="API", actor=admin)
    with unit_of_work():
        change_component_status(api, status="degraded_performance", actor=admin)
    changes = db.session.scalars(
        db.select(ComponentStatusChange.status).filter_by(component_id=api.id)
    ).all()
    assert changes == [ComponentStatus.operational, ComponentStatus.degraded_performance]
    with pytest.raises(ServiceError), unit_of_work():
        change_component_status(api, status="on_fire", actor=admin)


def test_a_component_in_an_open_incident_cannot_be_deleted(admin):
    with unit_of_work():
        api = create_component(name="API", actor=admin)
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(component_statuses={api.public_id: "major_outage"}, external_body="Down."),
            title="Down",
            actor=admin,
        )
    with pytest.raises(ServiceError, match="is open"), unit_of_work():
        delete_component(api, actor=admin)
    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Up."), actor=admin)
    with unit_of_work():
        delete_component(api, actor=admin)
    assert db.session.scalar(db.select(db.func.count(Component.id))) == 0


def test_changes_the_public_sees_are_announced_inside_the_transaction(admin):
    from app.core.settings import update_settings
    from app.signals import public_changed

    seen = []

    def on_public(sender, **changed):  # what changed: publishing re-renders only that
        seen.append((sorted(changed), db.session().in_transaction()))

    with public_changed.connected_to(on_public), unit_of_work():
        api = create_component(name="API", actor=admin)
        change_component_status(api, status="major_outage", actor=admin)
        update_settings(actor=admin, page_name="Acme", timezone="UTC", brand_color="#000000")
    # Each inside the one transaction, where publishing's outbox rows join it.
    assert seen == [(["everything"], True), (["components"], True), (["everything"], True)]
