"""In a real browser: texts follow the inputs the lead changes after the page loaded, and an
edited text survives with its notice. At desktop and phone sizes."""

import feedparser
import pytest

from app.extensions import db
from app.messages.seed import seed_default_templates
from app.models import Incident, StakeholderGroup
from app.timefmt import format_local
from tests.factories import PASSWORD, create_component, create_subscriber, create_user
from tests.public.test_browser import WATCH_CSP

SIZES = [(1280, 800), (390, 844)]


def _sign_in(page, live_server, size):
    seed_default_templates()
    db.session.add(StakeholderGroup(name="Execs", emails=["ceo@example.com"], min_severity="SEV5"))
    db.session.commit()
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.add_init_script(WATCH_CSP)
    page.goto(live_server + "/login")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/admin/")
    page.goto(live_server + "/admin/incidents/new")


def _synced(page):
    page.wait_for_selector("form[data-prefill][data-synced=yes]", state="attached")


@pytest.mark.parametrize("size", SIZES)
def test_declare_after_changing_severity_and_a_component(
    ctx, client, live_server, browser_page, outbox, size
):
    api = create_component(slug="api", name="Public API")
    create_subscriber(email="reader@example.net")
    page = browser_page
    _sign_in(page, live_server, size)
    page.fill("input[name=title]", "Checkout failing")
    page.select_option("select[name=severity]", "SEV1")
    page.select_option(f"select[name=component-{api.public_id}]", "major_outage")
    _synced(page)
    internal = page.locator("textarea[name=internal_body]").input_value()
    assert "**SEV1**, public impact critical" in internal and "Public API" in internal
    # The hint under "next update by" names the time the texts promise (one value, not two).
    hint = page.locator(".field:has([data-due-hint]) .hint").inner_text()
    promised = hint.removeprefix("Blank: ").split(",")[0]
    assert promised in page.locator("textarea[name=external_body]").input_value()
    page.click("input[value='Declare incident']")
    page.wait_for_selector("text=Declared")
    assert page.evaluate("window.__csp") == []

    incident = db.session.scalar(db.select(Incident))
    due = format_local(incident.next_update_due_at, "UTC")
    update = incident.updates[0]
    assert update.next_update_by == incident.next_update_due_at
    assert "**Public API**" in update.external_body and f"by {due}." in update.external_body
    assert "SEV1" in update.internal_body and "SEV3" not in update.internal_body
    page_html = client.get(f"/incidents/{incident.public_id}").get_data(as_text=True)
    assert "Public API" in page_html and due in page_html
    assert due in feedparser.parse(client.get("/history.atom").data).entries[0].summary
    body = client.get("/api/v2/incidents.json").json["incidents"][0]["incident_updates"][0]
    assert due in body["body"] and "Public API" in body["body"]
    emails = {m["To"]: m.get_body(("plain",)).get_content() for m in outbox}
    assert due in emails["reader@example.net"] and "Public API" in emails["reader@example.net"]
    assert "SEV1" in emails["ceo@example.com"] and due in emails["ceo@example.com"]


@pytest.mark.parametrize("size", SIZES)
def test_an_edited_text_survives_a_severity_change_and_shows_the_notice(
    ctx, live_server, browser_page, size
):
    page = browser_page
    _sign_in(page, live_server, size)
    external = page.locator("textarea[name=external_body]")
    external.fill("Search is slow; we are on it.")
    page.select_option("select[name=severity]", "SEV1")
    _synced(page)
    assert external.input_value() == "Search is slow; we are on it."
    notice = page.locator("[data-notice=external]")
    assert notice.is_visible() and "SEV3" in notice.inner_text()
    assert page.locator("[data-notice=internal]").is_hidden()
    assert "**SEV1**" in page.locator("textarea[name=internal_body]").input_value()
    notice.locator("button").click()  # refill? on purpose
    assert "We are investigating" in external.input_value() and notice.is_hidden()
    assert page.evaluate("window.__csp") == []


def test_an_answer_for_inputs_changed_since_is_never_shown(ctx, live_server, browser_page):
    """The answer to a change that lands after the lead changed something else is dropped:
    the texts (and the form's "synced" mark) follow the inputs as they are now."""
    from datetime import timedelta

    from app.sqltypes import utcnow

    create_component(slug="api", name="Public API")
    page = browser_page
    _sign_in(page, live_server, SIZES[0])
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)  # answered only once the lead has changed something else

    page.route("**/admin/prefill?*", hold_the_first)
    page.select_option("select[name=severity]", "SEV1")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the severity change asked for no texts"
    due = (utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    # As typing does: "input" events, and "change" only once the field loses focus.
    page.eval_on_selector(
        "input[name=next_update_by]",
        "(el, value) => { el.value = value;"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }",
        due.strftime("%Y-%m-%dT%H:%M"),
    )
    held[0].continue_()  # the answer for the old due time arrives first
    _synced(page)
    promised = format_local(due, "UTC")
    assert promised in page.locator("textarea[name=external_body]").input_value()
