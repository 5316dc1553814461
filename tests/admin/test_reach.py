"""Before sending, the forms say who it reaches: subscribers by channel, groups by name."""

from app.core.uow import unit_of_work
from app.fanout.stakeholders import create_group
from tests.conftest import csrf_token
from tests.factories import create_component, create_subscriber


def _people():
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Web", position=1)
    create_subscriber(email="api@example.net", components=[api])
    create_subscriber(email="web@example.net", components=[web])
    create_subscriber(email="all@example.net")
    with unit_of_work():
        create_group(name="Support", emails="s1@example.com s2@example.com", min_severity="SEV3")
        create_group(name="Execs", emails="cto@example.com", min_severity="SEV1")
    return api, web


def test_the_declare_form_and_its_live_count_follow_severity_and_components(client, as_lead):
    api, _ = _people()
    page = client.get("/admin/incidents/new").get_data(as_text=True)
    assert "Who this reaches" in page
    assert "Stakeholders (SEV3):</strong>\n    Support (2): 2 people" in page
    live = client.get(
        "/admin/reach",
        query_string={
            "severity": "SEV1",
            f"component-{api.public_id}": "partial_outage",
            "is_public": "y",
            "notify": "y",
            "notify_stakeholders": "y",
        },
    ).get_data(as_text=True)
    assert "2 (2 by email)" in live  # API's follower and the one who follows everything
    assert "Execs (1), Support (2): 3 people" in live
    unticked = client.get("/admin/reach", query_string={"severity": "SEV1"}).get_data(as_text=True)
    assert "none: the incident is internal-only" in unticked
    assert "“Notify stakeholders” is not ticked" in unticked


def test_a_new_maintenance_says_notify_stakeholders_reaches_no_group(client, as_lead):
    _people()
    page = client.get("/admin/maintenance/new").get_data(as_text=True)
    assert "reaches no group</span>: no stakeholder group takes SEV5" in page
    live = client.get(
        "/admin/reach",
        query_string={"kind": "maintenance", "notify_stakeholders": "y", "notify": "y"},
    ).get_data(as_text=True)
    assert "reaches no group" in live and "1 (1 by email)" in live  # only the follower of all


def test_the_preview_of_an_update_shows_the_count_for_the_incident(client, as_lead):
    api, _ = _people()
    url = "/admin/incidents/new"
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": "API errors",
            "severity": "SEV2",
            "state": "investigating",
            "lead": str(as_lead.id),
            "is_public": "y",
            "notify": "y",
            "notify_stakeholders": "y",
            "external_body": "Looking.",
            "internal_body": "Paged.",
            f"component-{api.public_id}": "partial_outage",
        },
    )
    from app.extensions import db
    from app.models import Incident

    incident = db.session.scalar(db.select(Incident))
    update_url = f"/admin/incidents/{incident.public_id}/updates/new"
    preview = client.post(
        update_url,
        data={
            "csrf_token": csrf_token(client, update_url),
            "state": "identified",
            "notify": "y",
            "notify_stakeholders": "y",
            "external_body": "Found it.",
            "internal_body": "Rollback.",
            "preview": "Preview",
        },
    ).get_data(as_text=True)
    # Where the preview opens, above it: who it would go to.
    above = preview.split('id="previewed"')[1].split('aria-label="Preview"')[0]
    assert "This would go to" in above and "2 (2 by email)" in above
    assert "Support (2): 2 people" in above
