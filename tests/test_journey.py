"""One incident from first subscriber to unsubscribe, through the real stack: Chromium,
`flask web`, a ``flask worker`` process on the lane's queue, mail by SMTP into aiosmtpd."""

import re
import time
from datetime import timedelta

from app.extensions import db
from app.messages.seed import seed_default_templates
from app.models import Dispatch, DispatchStatus, Incident, StakeholderGroup
from tests.factories import PASSWORD, create_component, create_subscriber, create_user
from tests.livestack import fetch, wait_until

EXTERNAL = "EXT-J1 Checkout is failing for some customers."
INTERNAL = "INT-J1 eu-west payment pods crash-looping."
FEEDS = ("/", "/api/v2/summary.json", "/history.atom", "/history.rss")


def test_a_subscriber_and_a_lead_live_through_one_sev1(ctx, live_stack, smtp_server, browser_page):
    started = time.monotonic()
    seed_default_templates()
    db.session.add(StakeholderGroup(name="Support", emails=["support@example.com"],
                                    min_severity="SEV2"))  # fmt: skip
    db.session.commit()
    create_user(email="lead@example.com", name="Lena Lead", role="lead")
    api = create_component(slug="api", name="API")
    create_component(slug="web", name="Web", position=1)
    create_subscriber(email="all-fan@example.net", components=[])  # everything: sees it all
    db.session.commit()
    stack = live_stack(EMAIL_BACKEND="smtp", SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    stack.start_web()
    stack.start_worker()
    page = browser_page

    def mail_to(address):
        return [msg for rcpts, msg in smtp_server.messages if address in rcpts]

    def text_of(msg):
        return msg.get_body(("plain",)).get_content()

    def arrived(address, count, what):
        return wait_until(
            lambda: len(mail_to(address)) >= count and mail_to(address),
            timeout=15,
            what=f"{what} to {address}",
        )

    # A visitor subscribes to one component and confirms from the emailed link.
    page.goto(stack.url + "/subscribe")
    page.fill("input[name=email]", "ana@example.org")
    page.get_by_label("API", exact=True).check()
    page.click("input[type=submit][value=Subscribe]")
    page.wait_for_selector("text=Check your inbox")
    confirmation = text_of(arrived("ana@example.org", 1, "the confirmation")[0])
    link = re.search(r"http://127\.0\.0\.1:\d+/confirm/\S+", confirmation).group(0)
    page.goto(link)
    page.click("text=Confirm my subscription")
    page.wait_for_selector("text=You are subscribed")

    # The lead signs in and declares a SEV1 with both texts.
    page.goto(stack.url + "/login")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(stack.url + "/admin/")
    page.goto(stack.url + "/admin/incidents/new")
    page.fill("input[name=title]", "Checkout errors")
    page.select_option("select[name=severity]", "SEV1")
    page.select_option(f"select[name=component-{api.public_id}]", "major_outage")
    page.fill("textarea[name=external_body]", EXTERNAL)
    page.fill("textarea[name=internal_body]", INTERNAL)
    page.click("input[value='Declare incident']")
    page.wait_for_selector("text=Declared")
    posted = time.monotonic()

    # Page, JSON and feeds show it within 2 s; never the internal text.
    for path in FEEDS:
        body = wait_until(
            lambda path=path: EXTERNAL.split(".")[0] in (b := fetch(stack.url + path)[1]) and b,
            timeout=5,
            what=f"the update on {path}",
        )
        assert "INT-J1" not in body
    assert time.monotonic() - posted <= 2.0, "the public site took longer than 2 s"

    # The subscriber's email: external text only, with working RFC 8058 headers.
    first = arrived("ana@example.org", 2, "the first update")[1]
    assert "EXT-J1" in text_of(first) and "INT-J1" not in text_of(first)
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.search(r"<(http[^>]+)>", first["List-Unsubscribe"]).group(1)
    assert unsubscribe_url.startswith(stack.url + "/u/")
    assert fetch(unsubscribe_url)[0] == 200  # a GET only asks
    # The stakeholder group gets only the internal text.
    internal = text_of(arrived("support@example.com", 1, "the internal update")[0])
    assert "INT-J1" in internal and "EXT-J1" not in internal
    arrived("all-fan@example.net", 1, "the update to an everything subscriber")

    # The clock passes the cadence: the lead is reminded (one tick, at a shifted "now").
    db.session.rollback()
    incident = db.session.scalar(db.select(Incident))
    due = incident.next_update_due_at
    assert due - incident.started_at <= timedelta(minutes=15)  # SEV1 investigating
    now = (due + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    result = stack.flask("reminders", "tick", "--now", now)
    assert "sent lead reminder for SEV1 'Checkout errors'" in result.stdout
    reminder = arrived("lead@example.com", 1, "the reminder")[0]
    assert "Update due on SEV1 'Checkout errors'" in reminder["Subject"]

    # identified -> monitoring -> resolved, each reaching the subscriber.
    for n, state in enumerate(["identified", "monitoring"], start=3):
        page.goto(stack.url + f"/admin/incidents/{incident.public_id}/updates/new?state={state}")
        page.fill("textarea[name=external_body]", f"EXT-J{n} now {state}.")
        page.fill("textarea[name=internal_body]", f"INT-J{n} now {state}.")
        page.click("input[value='Post update']")
        page.wait_for_selector("text=Update posted.")
        assert f"EXT-J{n}" in text_of(arrived("ana@example.org", n, state)[n - 1])
    page.goto(stack.url + f"/admin/incidents/{incident.public_id}/resolve")
    page.click("input[value='Resolve incident']")
    page.wait_for_selector("text=Incident resolved.")
    resolved = arrived("ana@example.org", 5, "the resolution")[4]
    assert "Resolved" in resolved["Subject"]

    # One click (RFC 8058: a POST to the header's URL, no cookie, no token) unsubscribes...
    status, body, _ = fetch(unsubscribe_url, data=b"List-Unsubscribe=One-Click")
    assert status == 200, body
    # ... and nothing more arrives: the postmortem reaches the group, not the subscriber.
    page.goto(stack.url + f"/admin/incidents/{incident.public_id}/postmortem")
    page.fill("input[name=postmortem_url]", "https://example.com/postmortems/j6")
    page.fill("textarea[name=external_body]", "EXT-J6 What happened.")
    page.fill("textarea[name=internal_body]", "INT-J6 What happened.")
    page.check("input[name=notify]")
    page.click("input[value='Post postmortem']")
    page.wait_for_selector("text=Postmortem posted.")
    arrived("all-fan@example.net", 5, "the postmortem to an everything subscriber")
    wait_until(_dispatches_done, timeout=15, what="every dispatch to finish")
    assert len(mail_to("ana@example.org")) == 5
    assert time.monotonic() - started < 60


def _dispatches_done():
    db.session.rollback()
    statuses = db.session.scalars(db.select(Dispatch.status)).all()
    return len(statuses) >= 10 and all(s == DispatchStatus.sent for s in statuses)
