"""Texts follow the form's inputs: an untouched prefill is rendered again from what is
submitted, an edited text is never overwritten, and the promised time is the due time."""

import re
from html import unescape
from html.parser import HTMLParser

import feedparser

from app.core.settings import page_settings
from app.extensions import db
from app.models import Incident, StakeholderGroup, Update
from app.timefmt import format_local
from tests.factories import create_component, create_subscriber


class _Fields(HTMLParser):
    """The fields a browser would submit from the first form with a text area."""

    def __init__(self):
        super().__init__()
        self.fields, self._area, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox"):
            self.fields[name] = attrs.get("value") or ""
        elif tag == "input" and name and "checked" in attrs:
            self.fields[name] = attrs.get("value") or "y"
        elif tag == "textarea":
            self._area = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._area = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._area:
            # A browser drops the newline that follows <textarea> and submits CRLF.
            text = self.fields[self._area] + data
            self.fields[self._area] = text.removeprefix("\n").replace("\n", "\r\n")


def page_fields(client, url) -> dict:
    """What a browser would submit if the lead pressed a button without changing anything."""
    parser = _Fields()
    parser.feed(client.get(url).get_data(as_text=True))
    return parser.fields


def _setup():
    api = create_component(slug="api", name="Public API")
    create_subscriber(email="reader@example.net")
    db.session.add(StakeholderGroup(name="Execs", emails=["ceo@example.com"], min_severity="SEV5"))
    db.session.commit()
    return api


def test_a_sev1_declared_without_touching_the_texts_says_what_was_saved(client, as_lead, outbox):
    api = _setup()
    data = page_fields(client, "/admin/incidents/new")  # prefilled for SEV3, no components
    assert "our services" in data["external_body"] and "SEV3" in data["internal_body"]
    data |= {
        "title": "Checkout failing",
        "severity": "SEV1",
        f"component-{api.public_id}": "major_outage",
        "submit": "Declare incident",
    }
    assert client.post("/admin/incidents/new", data=data).status_code == 302

    incident = db.session.scalar(db.select(Incident))
    update = incident.updates[0]
    due = format_local(incident.next_update_due_at, "UTC")
    assert update.next_update_by == incident.next_update_due_at  # one value
    assert "**Public API**" in update.external_body and "our services" not in update.external_body
    assert f"next update by {due}." in update.external_body
    assert "**SEV1**, public impact critical" in update.internal_body
    assert "SEV3" not in update.internal_body and f"Next update by {due}." in update.internal_body
    assert f"/incidents/{incident.public_id}." in update.internal_body  # the URL, known at once

    page = client.get(f"/incidents/{incident.public_id}").get_data(as_text=True)
    assert "Public API" in page and due in page
    feed = feedparser.parse(client.get("/history.atom").data)
    assert due in feed.entries[0].summary and "Public API" in feed.entries[0].summary
    api_doc = client.get("/api/v2/incidents.json").json["incidents"][0]
    assert due in api_doc["incident_updates"][0]["body"]
    emails = {m["To"]: m.get_body(("plain",)).get_content() for m in outbox}
    assert due in emails["reader@example.net"] and "Public API" in emails["reader@example.net"]
    assert due in emails["ceo@example.com"] and "SEV1" in emails["ceo@example.com"]


def test_the_emails_carry_the_subjects_the_preview_showed(client, as_lead, outbox):
    """One value for a fact shown twice: each email's subject is the one its preview showed,
    from the state's template (the internal one names the severity), after the page name."""
    api = _setup()
    data = page_fields(client, "/admin/incidents/new")
    data |= {
        "title": "Checkout <failing> & slow",
        "severity": "SEV1",
        f"component-{api.public_id}": "major_outage",
        "preview": "Preview",
    }
    html = client.post("/admin/incidents/new", data=data).get_data(as_text=True)
    shown = sorted(unescape(s) for s in re.findall(r"Subject:</strong> ([^<]*)</p>", html))
    page = page_settings().page_name
    assert shown == [
        f"[{page}] Investigating: Checkout <failing> & slow",
        f"[{page}] [SEV1] Investigating: Checkout <failing> & slow",
    ]

    data.pop("preview")
    data["submit"] = "Declare incident"
    assert client.post("/admin/incidents/new", data=data).status_code == 302
    assert sorted(m["Subject"] for m in outbox) == shown


def test_an_edited_text_survives_a_severity_change_with_a_notice(client, as_lead):
    data = page_fields(client, "/admin/incidents/new")
    data |= {"title": "Slow search", "severity": "SEV1", "preview": "Preview"}
    data["external_body"] = "Search is slow; we are on it."
    html = client.post("/admin/incidents/new", data=data).get_data(as_text=True)
    assert "Search is slow; we are on it." in html  # never overwritten
    assert 'data-notice="external" role="status">' in html
    assert "Written for <span data-written-for>SEV3" in html
    assert 'data-notice="internal" role="status" hidden>' in html  # untouched: re-rendered
    assert "**SEV1**, public impact none" in html and "] [SEV1] Investigating: Slow search" in html

    data.pop("preview")
    data["submit"] = "Declare incident"
    assert client.post("/admin/incidents/new", data=data).status_code == 302
    update = db.session.scalar(db.select(Update))
    assert update.external_body == "Search is slow; we are on it."
    assert "**SEV1**" in update.internal_body


def test_the_declared_incident_keeps_the_public_id_its_texts_link(client, as_lead):
    data = page_fields(client, "/admin/incidents/new")
    public_id = data["public_id"]
    assert f"/incidents/{public_id}." in data["internal_body"]
    assert "public impact none," in data["internal_body"]
    assert "Incident Commander: unassigned" in data["internal_body"]
    data |= {"title": "Down", "submit": "Declare incident"}
    data["internal_body"] = data["internal_body"] + "\r\nEdited."  # the URL kept as shown
    assert client.post("/admin/incidents/new", data=data).status_code == 302
    assert db.session.scalar(db.select(Incident.public_id)) == public_id


def test_an_update_posted_untouched_promises_the_due_time(client, as_lead):
    api = _setup()
    data = page_fields(client, "/admin/incidents/new") | {"title": "Down", "submit": "Declare"}
    client.post("/admin/incidents/new", data=data)
    incident = db.session.scalar(db.select(Incident))
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    data = page_fields(client, url)
    data |= {"state": "monitoring", f"component-{api.public_id}": "degraded_performance"}
    assert client.post(url, data=data | {"submit": "Post update"}).status_code == 302
    db.session.expire_all()
    update = db.session.scalar(db.select(Update).filter_by(state="monitoring"))
    due = format_local(update.incident.next_update_due_at, "UTC")
    assert update.external_body.startswith("A fix is in place for **Public API**")
    assert f"by {due}." in update.external_body and f"by {due}." in update.internal_body


def test_a_resolve_text_left_untouched_gives_the_real_resolve_time(client, as_lead):
    data = page_fields(client, "/admin/incidents/new") | {"title": "Down", "submit": "Declare"}
    client.post("/admin/incidents/new", data=data)
    incident = db.session.scalar(db.select(Incident))
    url = f"/admin/incidents/{incident.public_id}/resolve"
    data = page_fields(client, url)
    assert "resolved_at" not in data["external_body"]
    # The form was rendered a while ago: its text names an earlier end than the real one.
    data["external_hash"], data["external_body"] = _stale(data["external_body"])
    assert client.post(url, data=data | {"submit": "Resolve incident"}).status_code == 302
    db.session.expire_all()
    resolved = db.session.scalar(db.select(Incident))
    body = db.session.scalar(db.select(Update.external_body).filter_by(state="resolved"))
    assert f"ended at {format_local(resolved.resolved_at, 'UTC')}" in body and "1999" not in body


def _stale(body):
    """The same prefill, as rendered at another time (and its hash, as the form carried)."""
    from app.admin.texts import text_hash

    start = body.index(" ended at ") + len(" ended at ")
    old = body[:start] + "1999-01-01 00:00 UTC" + body[start + len("1999-01-01 00:00 UTC") :]
    return text_hash(old), old


def test_the_live_refill_says_what_an_edited_text_was_written_for(client, as_lead):
    data = page_fields(client, "/admin/incidents/new")
    query = {
        "severity": "SEV2",
        "state": "identified",
        "title": "T",
        "lead": data["lead"],
        "is_public": "y",
        "external_for": data["external_for"],
    }
    texts = client.get("/admin/prefill", query_string=query).json
    assert texts["external"]["written_for"] == "SEV3 · investigating · every 60 min · “(title)”"
    assert texts["internal"]["subject"] == "[SEV2] Identified: T"
    query["external_for"] = texts["external"]["for"]
    assert client.get("/admin/prefill", query_string=query).json["external"]["written_for"] is None
