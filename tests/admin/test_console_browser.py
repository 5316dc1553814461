import time

from app.extensions import db
from app.messages.seed import seed_default_templates
from app.models import Incident, State
from tests.factories import PASSWORD, create_component, create_user
from tests.public.test_browser import WATCH_CSP


def test_a_lead_declares_updates_and_resolves_in_a_real_browser(ctx, live_server, browser_page):
    seed_default_templates()
    db.session.commit()
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    api = create_component(slug="api", name="Public API", group="Core")
    page = browser_page
    page.add_init_script(WATCH_CSP)

    page.goto(live_server + "/login")
    assert page.evaluate("window.__csp") == []
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in'), input[type=submit]")
    page.wait_for_url(live_server + "/admin/")

    page.goto(live_server + "/admin/incidents/new")
    assert page.is_hidden("text=Refill texts for this state")  # JS does it live
    page.fill("input[name=title]", "Checkout errors")
    page.select_option(f"select[name=component-{api.public_id}]", "partial_outage")
    page.select_option("select[name=state]", "identified")
    external = page.locator("textarea[name=external_body]")
    page.wait_for_selector("form[data-prefill][data-refilled=identified]", state="attached")
    assert "We have found the cause of the problems with **Public API**" in external.input_value()
    assert page.evaluate("window.__csp") == []  # console.js ran and fetched under the policy
    external.fill("We found a bad deploy affecting **checkout**.")
    page.fill("textarea[name=internal_body]", "Rolling back release 42.")
    page.click("text=Declare incident")
    page.wait_for_selector("text=Declared")

    open_public_page(page, live_server, "Partial System Outage")
    body = page.inner_text("main")
    assert "Checkout errors" in body and "bad deploy" in body
    assert "Rolling back" not in body  # internal text never reaches the public page

    incident = db.session.scalar(db.select(Incident))
    page.goto(live_server + f"/admin/incidents/{incident.public_id}/updates/new")
    page.select_option("select[name=state]", "monitoring")
    page.wait_for_selector("form[data-prefill][data-refilled=monitoring]", state="attached")
    page.fill("textarea[name=external_body]", "The rollback is done; we are watching.")
    page.fill("textarea[name=internal_body]", "Error rate back to 0.1%.")
    page.click("text=Post update")
    page.wait_for_selector("text=Update posted.")

    page.click("a.final:text-is('Resolve')")
    page.wait_for_selector("text=This incident is resolved.")
    page.click("input[value='Resolve incident']")
    page.wait_for_selector("text=Incident resolved.")

    db.session.expire_all()
    incident = db.session.scalar(db.select(Incident))
    assert incident.state == State.resolved
    assert [u.state for u in incident.updates] == ["identified", "monitoring", "resolved"]
    open_public_page(page, live_server, "All Systems Operational")
    main = page.inner_text("main")
    assert "Checkout errors" in main  # now among the past incidents
    assert "Rolling back" not in main and "Error rate back to 0.1%" not in main


def open_public_page(page, live_server, headline, *, within=3.0):
    """Open / until it shows ``headline``: published pages follow a change within 2 s.

    The page is cacheable (max-age), so like a person the test reloads, which revalidates.
    """
    deadline = time.monotonic() + within
    page.goto(live_server + "/")
    while True:
        page.reload()
        shown = page.inner_text("h1")
        if headline in shown or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert headline in shown


def test_without_javascript_the_refill_button_reloads_keeping_the_form(
    ctx, live_server, browser_page
):
    seed_default_templates()
    db.session.commit()
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    api = create_component(slug="api", name="Public API")
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server + "/admin/incidents/new")
    page.fill("input[name=title]", "Search is slow")
    page.select_option(f"select[name=component-{api.public_id}]", "degraded_performance")
    page.select_option("select[name=state]", "monitoring")
    external = page.locator("textarea[name=external_body]")
    assert "We are investigating" in external.input_value()  # no JS: nothing changed yet
    page.click("input[value='Refill texts for this state']")
    page.wait_for_load_state()
    assert "A fix is in place for **Public API**" in external.input_value()
    assert page.input_value("input[name=title]") == "Search is slow"
    assert page.input_value(f"select[name=component-{api.public_id}]") == "degraded_performance"
    page.click("input[value='Declare incident']")
    page.wait_for_selector("text=Declared")
    assert db.session.scalar(db.select(Incident.state)) == State.monitoring
    context.close()
