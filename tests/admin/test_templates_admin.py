from app.core.settings import page_settings
from app.extensions import db
from app.models import AuditEvent, MessageTemplate
from tests.conftest import csrf_token

NEW = "/admin/templates/new"


def _data(client, **fields):
    return {
        "csrf_token": csrf_token(client, NEW),
        "name": "Short",
        "kind": "incident",
        "state": "identified",
        "audience": "external",
        "subject": "{{ incident_title }}",
        "body": "Found it: {{ affected_components }}.",
    } | fields


def _count():
    return db.session.scalar(db.select(db.func.count(MessageTemplate.id)))


def test_the_list_documents_the_variables(client, as_admin):
    html = client.get("/admin/templates").get_data(as_text=True)
    assert "{{ next_update_at }}" in html and "Investigating: {{ incident_title }}" in html


def test_an_admin_creates_and_edits_a_template(client, as_admin):
    before = _count()
    assert client.post(NEW, data=_data(client)).status_code == 302
    template = db.session.scalar(db.select(MessageTemplate).filter_by(name="Short"))
    url = f"/admin/templates/{template.id}/edit"
    assert "Found it:" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_data(client, body="Still {{ state }}."))
    assert response.status_code == 302
    db.session.refresh(template)
    assert template.body == "Still {{ state }}." and _count() == before + 1


def test_bad_templates_are_form_errors_with_the_line(client, as_admin):
    before = _count()
    cases = [
        ("Fine\n{% for %}", "Line 2:"),
        ("Hi\n\n{{ password }}", "Line 3: unknown variable &#39;password&#39;"),
        ("{{ ''.__class__.__mro__ }}", "underscore"),
        ("{{ lead_name|attr('__class__') }}", "filter &#39;attr&#39; is not allowed"),
        ("{{ lead_name.ljust(10000000) }}", "calling functions or methods is not allowed"),
        ("{{ request.environ }}", "unknown variable &#39;request&#39;"),
    ]
    for body, message in cases:
        response = client.post(NEW, data=_data(client, body=body))
        assert response.status_code == 422, body
        assert message in response.get_data(as_text=True), body
    response = client.post(NEW, data=_data(client, state="scheduled"))
    assert response.status_code == 422 and "state must be one of" in response.get_data(True)
    assert _count() == before
    assert db.session.scalar(db.select(AuditEvent.id)) is None


def test_leads_cannot_change_templates(client, as_lead):
    assert client.get(NEW).status_code == 403
    token = csrf_token(client, "/admin/incidents/new")
    response = client.post(NEW, data={"csrf_token": token, "name": "x", "body": "y"})
    assert response.status_code == 403
    template = db.session.scalar(db.select(MessageTemplate))
    response = client.post(f"/admin/templates/{template.id}/delete", data={"csrf_token": token})
    assert response.status_code == 403


def test_an_admin_deletes_a_template(client, as_admin):
    template = db.session.scalar(db.select(MessageTemplate))
    token = csrf_token(client, "/admin/templates")
    response = client.post(f"/admin/templates/{template.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(MessageTemplate, template.id) is None


def test_previewing_a_template_renders_sample_values_and_saves_nothing(client, as_admin):
    before = _count()
    data = _data(client, body="Hi **{{ affected_components }}** <i>x</i>", preview="Preview")
    html = client.post(NEW, data=data).get_data(as_text=True)
    assert "Hi <strong>API and Web dashboard</strong> &lt;i&gt;x&lt;/i&gt;" in html
    page = page_settings().page_name
    assert f"Subject:</strong> [{page}] Elevated API error rates" in html  # as an email says
    response = client.post(NEW, data=_data(client, body="{{ ''.__class__ }}", preview="Preview"))
    assert response.status_code == 422 and "underscore" in response.get_data(as_text=True)
    assert _count() == before


def test_saving_a_template_past_the_sandbox_limits_is_a_422_with_the_message(client, as_admin):
    before = _count()
    for body, message in [
        ("{{ '%050000000d' % 1 }}", "format fields wider than 100"),
        ("{{ (1,) * 50000000 }}", "repetition is too long"),
        ("{{ [[1] * 9999] * 9999 }}", "repetition is too long"),
        ("{{ page_name.format }}", "attributes and methods"),
    ]:
        response = client.post(NEW, data=_data(client, body=body))
        assert response.status_code == 422, body
        assert message in response.get_data(as_text=True), body
    assert _count() == before
