import xml.etree.ElementTree as ET

from app.models import ComponentStatus
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident


def test_flask_publish_exports_the_whole_site(runner, ctx, tmp_path):
    create_component(slug="api", name="API")
    incident = create_incident(title="API errors", updates=[("Looking.", "")])
    result = runner.invoke(args=["publish", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in [
        "index.html",
        f"incidents/{incident.public_id}/index.html",
        "history/index.html",
        "history.atom",
        "history.rss",
        "components/api/history/index.html",
        "components/api/history.atom",
        "components/api/history.rss",
        "badge.svg",
        "api/v2/summary.json",
        "api/v2/scheduled-maintenances/active.json",
        "api/v2/openapi.json",
        "static/crier.css",
        "static/localtime.js",
    ]:
        assert (tmp_path / name).is_file(), name
    assert "Looking." in (tmp_path / "index.html").read_text()


def test_flask_publish_without_out_stores_a_new_generation(runner, ctx):
    result = runner.invoke(args=["publish"])
    assert result.exit_code == 0 and "Published generation 1." in result.output


def test_badge_shows_the_overall_status(client, ctx):
    create_component(status=ComponentStatus.major_outage)
    publish_site()
    response = client.get("/badge.svg")
    assert response.mimetype == "image/svg+xml"
    svg = ET.fromstring(response.data)  # noqa: S314 - our own bytes
    assert svg.get("aria-label") == "status: Major System Outage"
    assert 'fill="#cf222e"' in response.get_data(as_text=True)
    assert response.headers["ETag"]


def test_a_new_export_leaves_no_page_that_stopped_being_public(runner, ctx, tmp_path):
    from app.extensions import db

    out = tmp_path / "site"
    incident = create_incident(title="Soon private", updates=[("Visible.", "")])
    assert runner.invoke(args=["publish", "--out", str(out)]).exit_code == 0
    page = out / "incidents" / incident.public_id / "index.html"
    assert page.is_file()
    incident.is_public = False
    db.session.commit()
    assert runner.invoke(args=["publish", "--out", str(out)]).exit_code == 0
    assert not page.exists()
    assert "Soon private" not in (out / "history.atom").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no build left behind
