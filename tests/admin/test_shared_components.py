"""The console says which components resolving leaves as they are, and lists statuses as the
public page shows them."""

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import ComponentStatus
from tests.conftest import csrf_token
from tests.factories import create_component


def _declare(lead, title, statuses):
    with unit_of_work():
        return declare_incident(
            UpdateDraft(external_body="Looking.", component_statuses=statuses),
            title=title,
            actor=lead,
            severity="SEV2",
        )


def test_the_resolve_form_names_what_stays_and_the_console_agrees_after(client, as_lead):
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Web", position=1)
    _declare(as_lead, "Payments slow", {api.public_id: "partial_outage"})
    login = _declare(
        as_lead,
        "Login errors",
        {api.public_id: "degraded_performance", web.public_id: "degraded_performance"},
    )
    url = f"/admin/incidents/{login.public_id}/resolve"
    form = client.get(url).get_data(as_text=True)
    assert "API stays Partial outage: held by “Payments slow”" in form
    assert "Web stays" not in form  # nothing else holds Web: it goes back to operational
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "external_body": "Fixed.",
            "restore_components": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(api), api.id).status == ComponentStatus.partial_outage
    assert db.session.get(type(web), web.id).status == ComponentStatus.operational
    page = client.get(f"/admin/incidents/{login.public_id}").get_data(as_text=True)
    # The console lists what the page shows now, not the resolved incident's old word.
    assert "API: partial outage (this incident had it degraded performance)" in page
    assert "Web: operational (this incident had it degraded performance)" in page
