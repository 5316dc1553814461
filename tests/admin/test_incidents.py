import re
from datetime import UTC, datetime, timedelta

from app.core.settings import page_settings
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import AuditEvent, ComponentStatus, Incident, State, Update
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_component, create_user


def _form(client, url, **fields):
    return {"csrf_token": csrf_token(client, url), "notify": "y", **fields}


def _count(model):
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_the_declare_form_is_prefilled_from_the_templates(client, as_lead):
    html = client.get("/admin/incidents/new").get_data(as_text=True)
    assert "We are investigating problems with" in html
    assert "Comms Lead: Lead User" in html  # the internal template, with me as the lead
    assert f'<option selected value="{as_lead.id}">Lead User</option>' in html


def test_declaring_an_incident_from_the_form(client, as_lead):
    api = create_component(slug="api", name="API")
    data = _form(
        client,
        "/admin/incidents/new",
        title="Checkout failing",
        severity="SEV2",
        state="investigating",
        lead=str(as_lead.id),
        external_body="We are **investigating**.",
        internal_body="Paged.",
        **{f"component-{api.public_id}": "partial_outage"},
    )
    response = client.post("/admin/incidents/new", data=data)
    assert response.status_code == 302
    incident = db.session.scalar(db.select(Incident))
    assert response.location.endswith(f"/admin/incidents/{incident.public_id}")
    assert incident.title == "Checkout failing" and incident.impact == "major"
    assert api.status == ComponentStatus.partial_outage
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>investigating</strong>" in page and "Paged." in page


def test_bad_declarations_get_a_form_error_and_write_nothing(client, as_lead):
    cases = [
        ({"title": ""}, "Give the incident a title."),
        ({"component-ghost": "major_outage"}, "There is no component"),
        ({"state": "resolved"}, "Start as investigating"),
        ({"external_body": "<script>alert(1)</script>"}, "Raw HTML"),
        ({"next_update_by": "yesterday"}, "Not a valid datetime value"),
        ({"cadence_minutes": "0"}, "Number must be between 1 and 1440"),
    ]
    for fields, message in cases:
        data = (
            _form(
                client,
                "/admin/incidents/new",
                title="Down",
                severity="SEV3",
                state="investigating",
                lead=str(as_lead.id),
                external_body="Text",
            )
            | fields
        )
        response = client.post("/admin/incidents/new", data=data)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert _count(Incident) == 0 and _count(AuditEvent) == 0


def test_refill_without_js_keeps_what_was_typed_elsewhere(client, as_lead):
    data = _form(
        client,
        "/admin/incidents/new",
        title="Search is slow",
        severity="SEV1",
        state="identified",
        lead=str(as_lead.id),
        external_body="old text",
        refill="Refill texts for this state",
    )
    html = client.post("/admin/incidents/new", data=data).get_data(as_text=True)
    # The edited text stays, with a notice; the lead refills it on purpose.
    assert "old text" in html and 'data-notice="external" role="status">' in html
    data["refill_text"] = "external"
    html = client.post("/admin/incidents/new", data=data).get_data(as_text=True)
    assert "We have found the cause" in html and "old text" not in html
    assert 'value="Search is slow"' in html
    assert '<option selected value="SEV1">' in html
    assert _count(Incident) == 0


def test_preview_shows_the_public_entry_and_both_emails(client, as_lead):
    data = _form(
        client,
        "/admin/incidents/new",
        title="Search is slow",
        severity="SEV2",
        state="investigating",
        lead=str(as_lead.id),
        external_body="Public **news** <b>x</b>",
        internal_body="Internal detail",
        preview="Preview",
    )
    html = client.post("/admin/incidents/new", data=data).get_data(as_text=True)
    assert "Public <strong>news</strong> &lt;b&gt;x&lt;/b&gt;" in html
    page = page_settings().page_name
    assert f"Subject:</strong> [{page}] Investigating: Search is slow" in html
    assert f"Subject:</strong> [{page}] [SEV2] Investigating: Search is slow" in html
    assert _count(Incident) == 0


def _incident(lead):
    with unit_of_work():
        return declare_incident(
            UpdateDraft(external_body="Looking."), title="API errors", actor=lead, severity="SEV2"
        )


def test_posting_an_update_with_both_texts(client, as_lead):
    incident = _incident(as_lead)
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    html = client.get(url + "?state=identified").get_data(as_text=True)
    assert "We have found the cause of the problems" in html
    data = _form(client, url, state="monitoring", external_body="Fixed-ish.", internal_body="v2")
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.refresh(incident)
    assert incident.state == State.monitoring
    assert [u.external_body for u in incident.updates] == ["Looking.", "Fixed-ish."]


def test_an_update_in_a_state_not_allowed_is_a_form_error(client, as_lead):
    incident = _incident(as_lead)
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    for state in ("resolved", "in_progress", "bogus"):
        response = client.post(url, data=_form(client, url, state=state, external_body="x"))
        assert response.status_code == 422
        assert "The state must be one of" in response.get_data(as_text=True)
    assert _count(Update) == 1


def test_the_prefill_endpoint_renders_a_state_for_the_js(client, as_lead):
    incident = _incident(as_lead)
    texts = client.get(f"/admin/prefill?incident={incident.public_id}&state=monitoring").json
    assert texts["external"]["subject"] == "Monitoring: API errors"
    assert "A fix is in place" in texts["external"]["body"]
    api = create_component(slug="api", name="API")
    draft = client.get(
        f"/admin/prefill?state=investigating&title=T&component-{api.public_id}=partial_outage"
    )
    assert "**API**" in draft.json["external"]["body"]


def test_resolving_and_the_postmortem(client, as_lead):
    api = create_component(slug="api", name="API")
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(
                component_statuses={api.public_id: "major_outage"}, external_body="Looking."
            ),
            title="API errors",
            actor=as_lead,
        )
    url = f"/admin/incidents/{incident.public_id}/resolve"
    html = client.get(url).get_data(as_text=True)
    assert "This incident is resolved." in html and "No data was lost." not in html
    response = client.post(
        url,
        data=_form(client, url, external_body="Resolved.", restore_components="y"),
    )
    assert response.status_code == 302
    db.session.refresh(incident)
    assert incident.state == State.resolved and api.status == ComponentStatus.operational
    url = f"/admin/incidents/{incident.public_id}/postmortem"
    assert "[Read the postmortem]" not in client.get(url).get_data(as_text=True)  # no address yet
    link = {"postmortem_url": "https://x.test/pm"}
    response = client.post(url, data=_form(client, url, external_body="<script>x</script>", **link))
    assert response.status_code == 422 and "Raw HTML" in response.get_data(as_text=True)
    response = client.post(url, data=_form(client, url, external_body="[PM](https://x.test)"))
    assert response.status_code == 422  # the postmortem's address is required
    response = client.post(
        url, data=_form(client, url, external_body="[PM](https://x.test)", **link)
    )
    assert response.status_code == 302
    assert incident.updates[-1].state == State.postmortem


def test_the_timeline_export(client, as_lead):
    incident = _incident(as_lead)
    response = client.get(f"/admin/incidents/{incident.public_id}/timeline.md")
    assert response.mimetype == "text/markdown"
    assert response.get_data(as_text=True).startswith("# API errors")
    assert client.get("/admin/incidents/nope/timeline.md").status_code == 404


def test_the_dashboard_counts_down_to_the_next_update(client, as_lead):
    incident = _incident(as_lead)
    html = client.get("/admin/").get_data(as_text=True)
    assert "API errors" in html and re.search(r"in (29|30) min", html)
    incident.next_update_due_at = incident.next_update_due_at - timedelta(minutes=45)
    db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(r"Overdue by 1[45] min", html)


def test_the_dashboard_shows_the_delivery_of_the_last_update(client, as_lead):
    from app.models import Dispatch

    incident = _incident(as_lead)
    # Declaring wrote the external dispatch (fan-out's outbox); catch it mid-way.
    dispatch = db.session.scalar(
        db.select(Dispatch).filter_by(update_id=incident.updates[-1].id, audience="external")
    )
    dispatch.status, dispatch.recipients_count = "running", 120
    dispatch.accepted_count, dispatch.bounced_count = 100, 2
    db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert "external email: running," in html and "100/120 sent, 2 bounced" in html


def test_the_form_says_when_the_next_update_is_due_by_default(client, as_lead):
    incident = _incident(as_lead)
    html = client.get(f"/admin/incidents/{incident.public_id}/updates/new?state=monitoring")
    # SEV2 monitoring: 60 minutes by DESIGN.md's table; the page timezone is UTC here.
    match = re.search(r"Blank: (\d{4}-\d\d-\d\d \d\d:\d\d) UTC, now \+ the cadence", html.text)
    due = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert abs(due - (utcnow() + timedelta(minutes=60))) < timedelta(minutes=2)


def test_update_text_is_never_run_as_a_template(client, as_lead):
    incident = _incident(as_lead)
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    body = "{{ 7*7 }} {{ ''.__class__.__mro__ }}"
    html = client.post(
        url, data=_form(client, url, state="identified", external_body=body, preview="Preview")
    ).get_data(as_text=True)
    preview = html[html.index('aria-label="Preview"') :]
    assert "<p>{{ 7*7 }}" in preview and "&lt;class" not in html
    assert client.post(url, data=_form(client, url, state="identified", external_body=body))
    db.session.refresh(incident)
    assert incident.updates[-1].external_body == body


def test_editing_severity_and_people_from_the_form(client, as_lead):
    incident = _incident(as_lead)
    url = f"/admin/incidents/{incident.public_id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert 'value="API errors"' in html and '<option selected value="SEV2">' in html
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "API errors",
        "severity": "SEV1",
        "impact": "critical",
        "lead": str(as_lead.id),
        "commander": "",
    }
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(incident)
    assert (incident.severity, incident.impact) == ("SEV1", "critical")
    response = client.post(
        url, data=data | {"severity": "SEV7", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 422 and "Choose a severity" in response.get_data(as_text=True)
    response = client.post(url, data=data | {"title": "", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422 and "Give the incident a title." in response.get_data(True)


def test_an_internal_only_incident_stays_off_the_public_page(client, as_lead):
    data = _form(
        client,
        "/admin/incidents/new",
        title="Payroll export broken",
        severity="SEV3",
        state="investigating",
        lead=str(as_lead.id),
        external_body="Public words",
    )
    assert client.post("/admin/incidents/new", data=data).status_code == 302
    incident = db.session.scalar(db.select(Incident))
    assert incident.is_public is False  # the box was not ticked
    assert "internal only" in client.get(f"/admin/incidents/{incident.public_id}").text
    assert "Payroll export broken" not in client.get("/").get_data(as_text=True)


def test_refilling_an_update_keeps_components_and_ticks(client, as_lead):
    incident = _incident(as_lead)
    api = create_component(slug="api", name="API")
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "state": "monitoring",
        "external_body": "typed",
        "internal_body": "typed too",
        f"component-{api.public_id}": "degraded_performance",
        "notify_stakeholders": "y",  # subscribers unticked
        "refill": "Refill texts for this state",
    }
    html = client.post(url, data=data).get_data(as_text=True)
    # Typed texts stay (each with its notice); untouched ones follow the state.
    assert "typed" in html and 'data-notice="internal" role="status">' in html
    data |= {"refill_text": "external"}
    html = client.post(url, data=data).get_data(as_text=True)
    assert "A fix is in place" in html and "typed too" in html
    assert '<option value="degraded_performance" selected>' in html
    assert 'id="notify" name="notify" type="checkbox" value="y">' in html
    assert 'checked id="notify_stakeholders"' in html
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1


def test_a_crafted_post_cannot_make_a_viewer_lead_or_commander(client, as_lead):
    viewer = create_user(email="viewer@example.com", name="Vic Viewer", role="viewer")
    gone = create_user(email="gone@example.com", name="Gone Lead", role="lead")
    gone.active = False
    db.session.commit()
    declare = dict(title="Down", severity="SEV3", state="investigating", external_body="Text")
    for field, user, who in [
        ("lead", viewer, "Comms Lead"),
        ("commander", viewer, "Incident Commander"),
        ("commander", gone, "Incident Commander"),
    ]:
        people = {"lead": str(as_lead.id), field: str(user.id)}
        data = _form(client, "/admin/incidents/new", **declare, **people)
        response = client.post("/admin/incidents/new", data=data)
        assert response.status_code == 422, (field, user)
        assert f"The {who} must be an active user with the lead role" in response.text
    assert _count(Incident) == 0
    incident = _incident(as_lead)
    url = f"/admin/incidents/{incident.public_id}/edit"
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "API errors",
        "severity": "SEV1",
        "impact": "critical",
        "lead": str(as_lead.id),
        "commander": str(viewer.id),
    }
    response = client.post(url, data=data)
    assert response.status_code == 422 and "The Incident Commander must be" in response.text
    db.session.refresh(incident)
    assert incident.commander is None and incident.severity == "SEV2"


def test_prefilled_external_texts_never_name_a_private_component(client, as_lead):
    api = create_component(slug="api", name="API")
    vault = create_component(slug="vault", name="Secret vault", is_public=False)
    statuses = {api.public_id: "major_outage", vault.public_id: "major_outage"}
    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(component_statuses=statuses, external_body="Looking."),
            title="Errors",
            actor=as_lead,
        )
    resolve = client.get(f"/admin/incidents/{incident.public_id}/resolve").get_data(as_text=True)
    external = re.search(r'name="external_body"[^>]*>([^<]*)<', resolve).group(1)
    assert "API" in external and "Secret vault" not in external
    query = (
        f"state=investigating&title=T&component-{api.public_id}=major_outage"
        f"&component-{vault.public_id}=major_outage"
    )
    draft = client.get(f"/admin/prefill?{query}").json
    public = draft["external"]["body"]
    assert "**API**" in public and "Secret vault" not in public
    assert "Secret vault" in draft["internal"]["body"]
