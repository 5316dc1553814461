"""The one set of checks a text goes through before it is sent: each check finds what it is for,
names the line, and leaves a clean text alone."""

from datetime import UTC, datetime

from app.messages.checks import (
    TextFacts,
    check_text,
    check_texts,
    fill_next_update,
    rewrite_promise,
)

DUE = datetime(2026, 12, 3, 7, 44, tzinfo=UTC)  # 08:44 CET
FACTS = TextFacts(
    statuses={"API": "major_outage", "Web": "operational", "Ledger DB": "partial_outage"},
    public=frozenset({"API", "Web"}),
    due=DUE,
    timezone="Europe/Berlin",
    blocked_words=("Project Falcon",),
)
CLEAN = (
    "We are investigating problems with **API**.\n\n"
    "We will post the next update by 2026-12-03 08:44 CET."
)


def _codes(text, *, audience="external", facts=FACTS):
    return [(f.code, f.line, f.blocking) for f in check_text(text, audience=audience, facts=facts)]


def test_a_clean_text_has_no_findings():
    assert _codes(CLEAN) == []
    assert _codes(CLEAN, audience="internal") == []


def test_an_empty_bullet_after_its_label_blocks_and_names_the_line():
    text = "Cause identified.\n\n- Cause:\n- Fix in progress: rolling back\n- Expected recovery:"
    assert _codes(text, audience="internal") == [("unfilled", 3, True), ("unfilled", 5, True)]
    finding = check_text(text, audience="internal", facts=FACTS)[0]
    assert "line 3" in str(finding) and "- Cause:" in str(finding)


def test_an_empty_label_line_blocks_but_a_label_over_its_list_does_not():
    assert _codes("Fix deployed.\n\nWhat changed:\n\nNext steps follow.")[0] == (
        "unfilled",
        3,
        True,
    )
    assert _codes("What changed:\n- the cache TTL\n- the pool size") == []
    assert _codes("- What we know:\n  - the API returns 502s") == []


def test_an_empty_or_partial_link_blocks():
    assert _codes("[Read the postmortem](https://)") == [("link", 1, True)]
    assert _codes("[Read the postmortem]()") == [("link", 1, True)]
    assert _codes("[Read the postmortem](https://example.com/pm/42)") == []


def test_a_claim_of_normal_service_warns_while_a_component_is_down():
    found = check_text("Other services are working normally.", audience="external", facts=FACTS)
    assert [(f.code, f.blocking) for f in found] == [("claim", False)]
    assert "API is in major outage" in found[0].message
    all_up = TextFacts(statuses={"API": "operational"}, public=frozenset({"API"}), due=DUE)
    assert _codes("Other services are working normally.", facts=all_up) == []


def test_other_services_means_the_components_outside_the_incident():
    own = TextFacts(
        statuses={"API": "major_outage", "Web": "operational"},
        public=frozenset({"API", "Web"}),
        affected=frozenset({"API"}),
    )
    assert _codes("Other services are working normally.", facts=own) == []
    assert _codes("You should see things working normally again.", facts=own) == [
        ("claim", 1, False)
    ]
    web_down = TextFacts(
        statuses={"API": "major_outage", "Web": "partial_outage"},
        public=frozenset({"API", "Web"}),
        affected=frozenset({"API"}),
    )
    found = check_text("Other services are working normally.", audience="external", facts=web_down)
    assert "Web is in partial outage" in found[0].message


def test_the_public_text_is_not_told_about_a_private_component_being_down():
    only_private = TextFacts(
        statuses={"API": "operational", "Ledger DB": "major_outage"}, public=frozenset({"API"})
    )
    assert _codes("Everything is back to normal.", facts=only_private) == []
    assert _codes("Everything is back to normal.", audience="internal", facts=only_private) == [
        ("claim", 1, False)
    ]


def test_a_promised_time_that_is_not_the_due_time_blocks():
    text = "We will post the next update by 2026-12-03 09:03 CET."
    found = check_text(text, audience="external", facts=FACTS)
    assert [(f.code, f.blocking) for f in found] == [("promise", True)]
    assert "09:03" in found[0].message and "08:44" in found[0].message
    assert found[0].promised == datetime(2026, 12, 3, 8, 3, tzinfo=UTC)
    assert _codes("Next update at 10:44 CET.", audience="internal") == [("promise", 1, True)]
    assert _codes("Next update at 07:44 UTC.") == []  # the same time, said in UTC


def test_a_promise_when_no_update_is_due_blocks():
    closed = TextFacts(due=None, timezone="Europe/Berlin")
    assert _codes("Next update by 2026-12-03 09:03 CET.", facts=closed) == [("promise", 1, True)]


def test_the_placeholder_is_filled_with_the_due_time_and_a_wrong_time_is_rewritten():
    assert fill_next_update("Next update by {{ next_update_at }}.", DUE, "Europe/Berlin") == (
        "Next update by 2026-12-03 08:44 CET."
    )
    text = "Intro.\nWe will post the next update by 2026-12-03 09:03 CET."
    finding = check_text(text, audience="external", facts=FACTS)[0]
    assert rewrite_promise(text, finding, DUE, "Europe/Berlin") == (
        "Intro.\nWe will post the next update by 2026-12-03 08:44 CET."
    )


def test_a_private_component_name_in_the_public_text_blocks():
    assert _codes("The Ledger DB failed over.") == [("private", 1, True)]
    assert _codes("The Ledger DB failed over.", audience="internal") == []


def test_internal_hostnames_ip_addresses_and_ticket_ids_warn_in_the_public_text():
    assert _codes("db-3.eu.internal was restarted.") == [("hostname", 1, False)]
    assert _codes("build.corp and cache.local") == [("hostname", 1, False)]
    assert _codes("Traffic from 10.20.0.14 was dropped.") == [("ip", 1, False)]
    assert _codes("We blocked 2001:db8::1.") == [("ip", 1, False)]
    assert _codes("Tracked in JIRA-1234.") == [("ticket", 1, False)]
    assert _codes("db-3.eu.internal 10.20.0.14 JIRA-1", audience="internal") == []
    assert _codes("Version 1.2.3 fixed it at 08:15.") == []


def test_the_ticket_pattern_is_the_pages_own():
    facts = TextFacts(ticket_pattern=r"\bINC\d{6}\b")
    assert _codes("See INC004211.", facts=facts) == [("ticket", 1, False)]
    assert _codes("See JIRA-12.", facts=facts) == []


def test_words_the_admin_listed_block_in_the_public_text():
    assert _codes("Project Falcon's rollout caused this.") == [("word", 1, True)]
    assert _codes("project falcon") == [("word", 1, True)]


def test_both_texts_are_checked_and_a_warning_has_a_stable_key():
    found = check_texts({"external": "See JIRA-1.", "internal": "- Cause:"}, FACTS)
    assert [(f.audience, f.code) for f in found] == [
        ("external", "ticket"),
        ("internal", "unfilled"),
    ]
    again = check_texts({"external": "Intro.\n\nSee JIRA-1."}, FACTS)
    assert again[0].key == found[0].key  # the same words, another line: still accepted


def test_the_template_editor_warns_of_a_postmortem_address_outside_a_postmortem():
    from app.messages.checks import empty_variable_warnings

    body = "[Read it]({{ postmortem_url }})"
    assert empty_variable_warnings(body, kind="incident", state="resolved")
    assert not empty_variable_warnings(body, kind="incident", state="postmortem")
