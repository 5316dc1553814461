"""Classic XSS and template-injection payloads (corpus.txt) through every text field the
Comms Lead, the admin and the public fill, checked where they come out: the status page and
incident page, the Atom/RSS feeds, the JSON API, the subscriber emails and the static export."""

import json
from pathlib import Path

import feedparser
import html5lib
import pytest

from app.core.text import clean_line
from app.extensions import db
from app.models import Incident, MessageTemplate
from app.publishing.publish import export_site, publish_site
from tests.factories import create_subscriber
from tests.hostile.helpers import assert_clear_answer, post_form

CORPUS = [
    line.replace("\\0", "\x00").replace("\\u202e", "\u202e")
    for line in (Path(__file__).parent / "corpus.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
EVALUATED = "zq49zq"  # what an SSTI payload would print if a template ran it
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


def assert_nothing_injected(html: str, where: str):
    """No element, attribute or link a payload tried to inject, and no template evaluated."""
    assert EVALUATED not in html, where
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        tag = str(element.tag).lower()
        assert tag not in {"iframe", "object", "embed"}, (where, tag)
        if tag == "script":
            assert "alert" not in (element.text or ""), where
            assert (element.get("src") or "/static/").startswith("/static/"), where
        if tag == "img":
            assert element.get("src") != "x", where
        if tag == "style":
            assert "display:none" not in (element.text or ""), where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name)
            if name.lower() in URL_ATTRIBUTES:
                squeezed = "".join(ch for ch in value if ch > " ").lower()
                assert not squeezed.startswith("javascript:"), (where, tag, value)


def _template_id(audience):
    return db.session.scalar(
        db.select(MessageTemplate.id).filter_by(
            kind="incident", state="investigating", audience=audience
        )
    )


def _fill_every_field(client, world, payload):
    """The payload in each text field a person can fill, through the forms themselves."""
    token = world["token"]
    posts = [
        (
            "/admin/settings",
            {"page_name": payload, "timezone": "UTC", "public_url": "https://status.example"},
        ),
        ("/admin/components/new", {"name": payload, "description": payload, "is_public": "y"}),
        ("/admin/groups/new", {"name": payload}),
        *(
            (
                f"/admin/templates/{_template_id(audience)}/edit",
                {
                    "name": "Default",
                    "kind": "incident",
                    "state": "investigating",
                    "audience": audience,
                    "subject": payload,
                    "body": f"{{{{ incident.title }}}} {payload}",
                },
            )
            for audience in ("external", "internal")
        ),
        (
            "/admin/incidents/new",
            {
                "title": payload,
                "severity": "SEV1",
                "state": "investigating",
                "lead": world["admin"],
                "external_body": payload,
                "internal_body": payload,
                "notify": "y",
                "notify_stakeholders": "y",
                "is_public": "y",
                f"component-{world['component']}": "major_outage",
            },
        ),
        ("/subscribe", {"email": payload}),
    ]
    for url, fields in posts:
        response = post_form(client, url, {"csrf_token": token, **fields})
        assert_clear_answer(response, url)
        if url == "/admin/incidents/new" and response.status_code == 422:
            # Raw HTML in the texts is refused: the payload still goes out in the title.
            fields |= {"external_body": "Looking.", "internal_body": "Paged."}
            response = post_form(client, url, {"csrf_token": token, **fields})
            assert_clear_answer(response, url)


@pytest.mark.parametrize("payload", CORPUS)
def test_payloads_come_out_inert(client, world, outbox, tmp_path, payload):
    from tests.conftest import csrf_token

    world["token"] = csrf_token(client, "/admin/settings")
    create_subscriber(email="reader@example.com")
    _fill_every_field(client, world, payload)
    publish_site()

    ids = db.session.scalars(db.select(Incident.public_id).where(Incident.is_public))
    for path in ["/", "/history", *(f"/incidents/{public_id}" for public_id in ids)]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_nothing_injected(response.get_data(as_text=True), path)

    for path in ["/history.atom", "/history.rss"]:
        raw = client.get(path).get_data(as_text=True)
        assert EVALUATED not in raw, path
        feed = feedparser.parse(raw)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        for entry in feed.entries:
            for key in ["title", "summary"]:
                detail = entry.get(f"{key}_detail") or {}
                # Plain text is shown as text by readers; only HTML parts can inject.
                if detail.get("type") == "text/html":
                    assert_nothing_injected(detail["value"], f"{path} entry {key}")
            assert not entry.get("link", "").lower().startswith("javascript:"), path

    for name in ["summary.json", "incidents.json", "components.json"]:
        body = client.get(f"/api/v2/{name}").get_data(as_text=True)
        json.loads(body)
        assert EVALUATED not in body, name

    if db.session.scalar(db.select(Incident).filter_by(title=clean_line(payload))):
        assert outbox, "the declared incident sent no email"
    for message in outbox:
        html = message.get_body(("html",))
        if html is not None:
            assert_nothing_injected(html.get_content(), f"email to {message['To']}")
        assert EVALUATED not in message.get_body(("plain",)).get_content()

    export_site(tmp_path / "site")
    for file in (tmp_path / "site").rglob("*"):
        if file.suffix == ".html":
            assert_nothing_injected(file.read_text(), str(file))
        elif file.suffix in {".json", ".atom", ".rss", ".svg"}:
            assert EVALUATED not in file.read_text(), str(file)
