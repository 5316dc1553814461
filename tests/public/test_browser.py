from tests.factories import create_component


def test_status_page_renders_in_a_real_browser(ctx, live_server, browser_page):
    create_component(slug="api", name="Public API", group="Core")
    browser_page.goto(live_server + "/")
    assert browser_page.inner_text("h1") == "All Systems Operational"
    assert browser_page.is_visible("text=Public API")


# Collected in the page before any of its scripts run; CSP violations are otherwise silent.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_no_csp_violation_on_the_status_page_and_the_brand_colour_applies(
    ctx, live_server, browser_page
):
    from app.extensions import db
    from app.publishing.publish import publish_site
    from tests.factories import create_incident, create_settings, post_update

    create_settings(brand_color="#aa3300")
    post_update(create_incident(title="Slow API"))
    publish_site()
    db.session.commit()
    page = browser_page
    page.add_init_script(WATCH_CSP)
    for path in ("/", "/history", "/subscribe"):
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        brand = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
        )
        assert brand == "#aa3300", path
        assert page.evaluate("window.__csp") == [], path
    page.goto(live_server + "/")
    time_el = page.locator("time[datetime]").first
    assert time_el.get_attribute("title")  # localtime.js ran under the policy
