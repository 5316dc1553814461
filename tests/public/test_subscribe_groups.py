"""The subscribe form lists components as the page does: by group, in order."""

import re

from tests.factories import create_component


def test_the_subscribe_form_groups_and_orders_components(client, ctx):
    from app.extensions import db
    from app.models import ComponentGroup

    db.session.add_all(
        [ComponentGroup(name="Apps", position=1), ComponentGroup(name="Core", position=0)]
    )
    db.session.commit()
    create_component(slug="web", name="Web app", group="Apps", position=0)
    create_component(slug="search", name="Search", group="Core", position=2)
    create_component(slug="api", name="API", group="Core", position=1)
    create_component(slug="docs", name="Docs", position=0)
    create_component(slug="ops", name="Ops console", group="Core", is_public=False, position=0)
    html = client.get("/subscribe").get_data(as_text=True)
    groups = re.findall(r'<fieldset class="component-group"><legend>([^<]+)</legend>', html)
    assert groups == ["Core", "Apps", "Other"]
    names = re.findall(r'<label for="components-\d+">([^<]+)</label>', html)
    assert names == ["API", "Search", "Web app", "Docs"]  # the hidden one is not offered
