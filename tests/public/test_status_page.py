from app.models import ComponentStatus
from tests.factories import create_component, create_incident


def test_status_page_shows_components_and_only_external_text(client, ctx):
    api = create_component(
        slug="api", name="Public API", group="Core", status=ComponentStatus.partial_outage
    )
    create_component(slug="secret", name="Internal Billing Batch", is_public=False)
    create_incident(
        title="API errors",
        components=[api],
        updates=[("We are looking into API errors.", "INTERNAL-MARKER-42 db failover")],
    )
    html = client.get("/").get_data(as_text=True)
    assert "Partial System Outage" in html
    assert "Public API" in html and "<summary>Core</summary>" in html
    assert "We are looking into API errors." in html
    assert "INTERNAL-MARKER-42" not in html
    assert "Internal Billing Batch" not in html


def test_status_page_says_all_operational_when_it_is(client, ctx):
    create_component()
    assert "All Systems Operational" in client.get("/").get_data(as_text=True)


def test_unknown_pages_get_an_html_page_and_api_paths_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v2/no-such.json")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == 404
