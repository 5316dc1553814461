"""The same URLs, a richer view: a signed-in viewer's incident pages, history, feeds and
/api/v2/ documents show the floor plus their audiences' components and incidents; internal
audiences read the internal text, labelled; everyone else gets the public bytes."""

import json

from app.extensions import db
from app.models import AudienceArtifact
from tests.audiences.audience_world import viewer_client, world

__all__ = ["world"]


def _month(incident):
    return f"/history/{incident.started_at.year}/{incident.started_at.month}"


def test_a_viewer_reads_their_audiences_incident_page_and_no_one_else_does(app, world):
    alpha = world["Alpha"]["incident"]
    path = f"/incidents/{alpha.public_id}"
    page = viewer_client(app, "bo@alpha.example").get(path)
    assert page.status_code == 200
    assert b"Alpha_1 external words" in page.data and b"Alpha_1 cluster" in page.data
    assert b"internal words" not in page.data and b"Internal" not in page.data
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in page.headers["Vary"]
    assert viewer_client(app, "both@else.example").get(path).status_code == 200
    for email in ("cy@beta.example", "di@gamma.example", "eve@nowhere.example"):
        assert viewer_client(app, email).get(path).status_code == 404, email
    assert app.test_client().get(path).status_code == 404


def test_an_internal_audience_reads_the_internal_text_labelled_internal(app, world):
    gamma = world["Gamma"]["incident"]
    page = viewer_client(app, "di@gamma.example").get(f"/incidents/{gamma.public_id}")
    assert b"Gamma_1 external words" in page.data and b"Gamma_1 internal words" in page.data
    assert b"<strong>Internal</strong>" in page.data
    shared = f"/incidents/{world['shared'].public_id}"
    inside = viewer_client(app, "di@gamma.example").get(shared)
    assert b"Shared_1 internal words" in inside.data and inside.headers["Vary"]
    public = app.test_client().get(shared)
    assert b"Shared_1 external words" in public.data
    assert b"internal words" not in public.data and "public" in public.headers["Cache-Control"]
    customer = viewer_client(app, "cy@beta.example").get(shared)
    assert customer.data == public.data  # Beta sees it as the public does: the public bytes


def test_an_incident_card_names_the_components_the_viewer_sees(app, world):
    mine = viewer_client(app, "bo@alpha.example").get("/").get_data(as_text=True)
    assert "Affects Public API, Alpha_1 cluster" in mine
    assert '<span class="component-name">Alpha_1 cluster</span>' in mine  # no history page
    assert 'href="/components/api/history"' in mine
    shared = f"/incidents/{world['shared'].public_id}"
    page = viewer_client(app, "bo@alpha.example").get(shared).get_data(as_text=True)
    assert "Public API, Alpha_1 cluster" in page
    public = app.test_client().get("/").get_data(as_text=True)
    assert "Affects Public API</p>" in public and "Alpha_1 cluster" not in public


def test_history_and_feeds_show_the_viewers_incidents_and_the_floor(app, world):
    client = viewer_client(app, "bo@alpha.example")
    month = _month(world["Alpha"]["incident"])
    for path in ("/history", month, "/history.atom", "/history.rss"):
        got = client.get(path)
        assert got.status_code == 200, path
        assert b"Alpha_1 outage" in got.data and b"Public_1" in got.data, path
        assert b"Beta_1" not in got.data and b"Gamma_1" not in got.data, path
        assert got.headers["Cache-Control"] == "private, no-cache", path
        assert b"Alpha_1" not in app.test_client().get(path).data, path


def test_the_json_api_shows_the_viewers_components_and_incidents(app, world):
    client = viewer_client(app, "bo@alpha.example")
    summary = client.get("/api/v2/summary.json")
    assert summary.headers["Cache-Control"] == "private, no-cache"
    doc = summary.get_json()
    names = {c["name"] for c in doc["components"]}
    assert {"Public API", "Alpha_1 cluster"} <= names and "Beta_1 cluster" not in names
    titles = {i["name"] for i in doc["incidents"]}
    assert {"Alpha_1 outage", "Shared_1 outage", "Public_1 slowness"} <= titles
    assert "Beta_1 outage" not in titles
    shared = next(i for i in doc["incidents"] if i["name"] == "Shared_1 outage")
    assert {c["name"] for c in shared["components"]} == {"Public API", "Alpha_1 cluster"}
    assert all("internal" not in u["body"] for i in doc["incidents"] for u in i["incident_updates"])
    for name in ("incidents.json", "components.json", "incidents/unresolved.json"):
        assert b"Alpha_1" in client.get(f"/api/v2/{name}").data, name
    public = json.loads(app.test_client().get("/api/v2/summary.json").data)
    assert "Alpha_1 cluster" not in {c["name"] for c in public["components"]}


def test_a_set_has_its_own_bytes_only_where_its_view_differs(app, world):
    beta = world["Beta"]["audience"].public_id
    paths = set(db.session.scalars(db.select(AudienceArtifact.path).filter_by(key=beta)))
    shared = f"/incidents/{world['shared'].public_id}"
    assert f"/incidents/{world['Beta']['incident'].public_id}" in paths
    assert shared not in paths  # Beta reads the shared incident as the public does
    assert f"/incidents/{world['Alpha']['incident'].public_id}" not in paths
