from tests.factories import create_component


def test_status_page_renders_in_a_real_browser(ctx, live_server, browser_page):
    create_component(slug="api", name="Public API", group="Core")
    browser_page.goto(live_server + "/")
    assert browser_page.inner_text("h1") == "All Systems Operational"
    assert browser_page.is_visible("text=Public API")
