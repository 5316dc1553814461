"""Two overlapping incidents on one component, walked in Chromium at phone and desk size:
declare both, promise a time, preview, correct a typo, resolve one, then read the public page
as a visitor in New York. Every assertion about the outcome reads what was published (the
public pages a visitor gets), not what the console's forms showed."""

import re
import time
from datetime import timedelta

import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.stakeholders import create_group
from app.messages.seed import seed_default_templates
from app.models import Incident, Update
from app.sqltypes import utcnow
from app.timefmt import zone
from tests.admin.console_browser import SIZES, axe_violations, sideways_overflow, sign_in
from tests.factories import create_component, create_settings, create_subscriber, create_user

PAGE_ZONE = "Europe/Berlin"
VISITOR_ZONE = "America/New_York"


def published(page, live_server, path, *, until, within=5.0) -> str:
    """The published page at ``path`` once ``until(text of main)`` holds: publishing follows
    a change within seconds, and the page is cacheable, so like a person the test reloads."""
    deadline = time.monotonic() + within
    page.goto(live_server + path)
    while True:
        text = page.inner_text("main")
        if until(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.25)
        page.reload()


def correct_typo(page, live_server, incident: Incident, update: Update, wrong: str, right: str):
    """Correct ``wrong`` to ``right`` in a posted update's public text with the console's
    "Correct text" form, which tells nobody again."""
    page.goto(live_server + f"/admin/incidents/{incident.public_id}")
    page.locator(f"a[href$='/updates/{update.public_id}/correct']").click()
    box = page.locator("textarea[name=external_body]")
    box.fill(box.input_value().replace(wrong, right))
    no_axe_violations(page, "correction form")
    page.click("input[value='Correct without notifying']")
    page.wait_for_selector("text=nobody was notified again")


def declare(page, live_server, *, title, component, status, external):
    page.goto(live_server + "/admin/incidents/new")
    page.fill("input[name=title]", title)
    page.select_option("select[name=severity]", "SEV2")
    page.select_option(f"select[name=component-{component.public_id}]", status)
    page.wait_for_selector("form[data-prefill][data-synced=yes]", state="attached")
    if external is not None:
        page.fill("textarea[name=external_body]", external)
    page.click("input[value='Declare incident']")
    page.wait_for_selector("text=Declared")
    return db.session.scalar(db.select(Incident).filter_by(title=title))


def no_axe_violations(page, where):
    assert axe_violations(page) == [], where
    assert sideways_overflow(page) <= 0, where


@pytest.mark.parametrize("viewport", **SIZES)
def test_two_incidents_on_one_component_publish_nothing_false(
    ctx, live_server, browser_page, viewport
):
    seed_default_templates()
    create_settings(page_name="Acme Status", timezone=PAGE_ZONE)
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    api = create_component(slug="api", name="API", group="Core")
    create_subscriber(email="all@example.net")
    with unit_of_work():
        create_group(name="Support", emails="s1@example.com s2@example.com", min_severity="SEV3")
    page = browser_page
    sign_in(page, live_server, "lead@example.com", viewport=viewport)

    # Declare two incidents that both hold API.
    payments = declare(
        page,
        live_server,
        title="Payments slow",
        component=api,
        status="partial_outage",
        external="Card payments are slow.",
    )
    page.goto(live_server + "/admin/incidents/new")
    page.select_option(f"select[name=component-{api.public_id}]", "degraded_performance")
    reach = page.locator("[data-reach-body]")
    page.wait_for_selector("[data-reach][data-synced]", state="attached")  # count followed
    assert "1 (1 by email)" in reach.inner_text() and "Support (2)" in reach.inner_text()
    no_axe_violations(page, "declare")
    login = declare(
        page,
        live_server,
        title="Login errors",
        component=api,
        status="degraded_performance",
        external="Sign-in fails for some paymnet pages.",
    )

    # Edit a promise: the next update by a time the lead chose, the text left to the template.
    promised = (utcnow() + timedelta(minutes=47)).astimezone(zone(PAGE_ZONE))
    page.goto(live_server + f"/admin/incidents/{login.public_id}/updates/new")
    assert "Next update by (Europe/Berlin" in page.inner_text("label[for=next_update_by]")
    page.select_option("select[name=state]", "identified")
    page.wait_for_selector("form[data-prefill][data-refilled=identified]", state="attached")
    page.fill("input[name=next_update_by]", promised.strftime("%Y-%m-%dT%H:%M"))
    page.wait_for_selector("form[data-prefill][data-synced=yes]", state="attached")

    # Preview opens where it is read, with no field focused (no keyboard on a phone).
    page.click("input[value=Preview]")
    page.wait_for_selector("#previewed")
    assert page.url.endswith("#previewed")
    box = page.locator("#previewed").bounding_box()
    assert box is not None and 0 <= box["y"] < viewport["height"]  # on screen, not 3 screens down
    assert page.evaluate("document.activeElement.tagName") not in ("INPUT", "TEXTAREA")
    no_axe_violations(page, "preview")
    page.click("input[value='Post update']")
    page.wait_for_selector("text=Update posted.")

    # The incident page: final actions apart, a countdown, deliveries folded.
    assert page.locator(".final-actions a.final", has_text="Resolve").count() == 1
    assert re.fullmatch(r"in \d+ min", page.inner_text(".countdown"))
    no_axe_violations(page, "incident page")

    # Correct a typo in the first public update.
    db.session.expire_all()
    login = db.session.get(Incident, login.id)
    first = login.updates[0]
    correct_typo(page, live_server, login, first, "paymnet", "payment")

    # Resolve the other incident with the form's default: API stays as Login errors holds it.
    page.goto(live_server + f"/admin/incidents/{payments.public_id}/resolve")
    kept = page.inner_text(".kept")
    assert "API stays Degraded performance: held by “Login errors”" in kept
    assert page.evaluate("document.activeElement === document.body")  # no keyboard
    no_axe_violations(page, "resolve form")
    page.click("input[value='Resolve incident']")
    page.wait_for_selector("text=Incident resolved.")

    # A visitor in New York reads what was published.
    visitor = page.context.browser.new_context(timezone_id=VISITOR_ZONE, viewport=viewport)
    reader = visitor.new_page()
    home = published(reader, live_server, "/", until=lambda text: "Degraded performance" in text)
    assert "All Systems Operational" not in reader.inner_text("h1")
    row = reader.locator(".component", has_text="API")
    assert "Degraded performance" in row.inner_text()  # never green while Login errors is open
    assert "Login errors" in home
    no_axe_violations(reader, "public page")

    text = published(
        reader,
        live_server,
        f"/incidents/{login.public_id}",
        until=lambda text: "payment pages" in text,
    )
    assert "paymnet" not in text and "Sign-in fails for some payment pages." in text
    db.session.expire_all()
    due = db.session.get(Incident, login.id).next_update_due_at
    stamp = due.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    promise = reader.locator(f".update-body time[datetime='{stamp}']")
    assert promise.count() == 1  # the text's promise is the due time the reminders use
    # One zone for every fact: the headers and the promise in the text, all New York's.
    shown = reader.locator("main time").all_inner_texts()
    assert shown and all(re.search(r"\b(EST|EDT)\b", t) for t in shown), shown
    assert "CET" not in text
    no_axe_violations(reader, "public incident page")
    visitor.close()
