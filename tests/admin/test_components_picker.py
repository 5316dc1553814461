import re

from app.extensions import db
from app.models import Incident
from tests.admin.console_browser import SIZES, sideways_overflow, sign_in
from tests.conftest import csrf_token
from tests.factories import create_component, create_user


def _page(n_groups=10, per_group=5):
    """A large page: ``n_groups`` groups of ``per_group`` components each."""
    return [
        create_component(slug=f"c{g}-{i}", name=f"Service {g}-{i}", group=f"Region {g}", position=i)
        for g in range(n_groups)
        for i in range(per_group)
    ]


def test_declare_groups_the_components_and_folds_a_large_page(client, as_lead):
    components = _page()
    html = client.get("/admin/incidents/new").get_data(as_text=True)
    assert html.count('<details class="picker-group">') == 10  # 50 components: all folded
    assert 'Region 3 <span class="picker-count">(5)</span>' in html
    assert f'name="component-{components[17].public_id}"' in html
    assert "50 unchanged" in html


def test_a_form_sent_back_keeps_its_changes_open_and_summarised(client, as_lead):
    components = _page()
    api = components[12]
    data = {
        "csrf_token": csrf_token(client, "/admin/incidents/new"),
        "title": "",  # missing: the form comes back with what was chosen
        "severity": "SEV2",
        "state": "investigating",
        f"component-{api.public_id}": "major_outage",
        **{f"component-{c.public_id}": "" for c in components if c is not api},
    }
    response = client.post("/admin/incidents/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Service 2-2 → major outage; 49 unchanged" in html
    assert re.search(r'<details class="picker-group" open>\s*<summary>Region 2 ', html)
    assert html.count('<details class="picker-group" open>') == 1


def test_with_50_components_a_lead_filters_and_declares_in_a_browser(
    ctx, live_server, browser_page, templates
):
    _page()
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    page = browser_page
    for viewport in SIZES["argvalues"]:
        sign_in(page, live_server, "lead@example.com", viewport=viewport)
        page.goto(live_server + "/admin/incidents/new")
        assert page.evaluate("document.activeElement.name") == "title"
        assert page.locator(".picker-row:visible").count() == 0  # ten folded groups
        page.fill("#component-filter", "service 7-3")
        assert page.locator(".picker-row:visible").count() == 1
        page.select_option("select[data-component='Service 7-3']", "partial_outage")
        summary = page.locator("#picker-summary")
        assert summary.inner_text() == "Service 7-3 → partial outage; 49 unchanged"
        page.fill("#component-filter", "")
        assert page.locator(".picker-row:visible").count() == 5  # only the group in use
        assert sideways_overflow(page) <= 0
        assert page.evaluate("window.__csp") == []
        page.goto("about:blank")  # no fetch of this page's is still on its way
        page.context.clear_cookies()
    sign_in(page, live_server, "lead@example.com", viewport=SIZES["argvalues"][0])
    page.goto(live_server + "/admin/incidents/new")
    page.fill("input[name=title]", "Region 7 is down")
    page.fill("#component-filter", "7-3")
    page.select_option("select[data-component='Service 7-3']", "major_outage")
    page.locator("#component-filter").press("Enter")  # does not submit the form
    assert page.url.endswith("/admin/incidents/new")
    page.click("input[value='Declare incident']")
    page.wait_for_selector("text=Declared")
    incident = db.session.scalar(db.select(Incident))
    assert [(link.component.name, link.status) for link in incident.components] == [
        ("Service 7-3", "major_outage")
    ]
