"""The console's side of alerts: the component's mode, the dashboard's "declare?" line and
the declare form it opens, prefilled."""

import html
import re

from app.extensions import db
from app.models import Component
from tests.alerts.test_alertmanager_endpoint import URL, alert, notification
from tests.conftest import csrf_token
from tests.factories import create_component, create_incident


def test_an_admin_chooses_what_an_alert_does(client, as_admin):
    api = create_component(slug="api", name="API")
    url = f"/admin/components/{api.public_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="alert_mode"' in page
    data = {"csrf_token": csrf_token(client, url), "name": "API", "slug": "api"}
    assert client.post(url, data=data | {"alert_mode": "automatic"}).status_code == 302
    assert db.session.get(Component, api.id).alert_mode == "automatic"
    response = client.post(url, data=data | {"alert_mode": "explode"})
    assert response.status_code == 422
    assert db.session.get(Component, api.id).alert_mode == "automatic"


def test_the_dashboard_offers_to_declare_and_the_form_is_prefilled(client, as_lead, lead_key):
    api = create_component(slug="api", name="API")
    body = notification(alert("f1", severity="warning"))
    assert client.post(URL, headers=lead_key, json=body).status_code == 200
    page = client.get("/admin/").get_data(as_text=True)
    assert "Alert firing on <strong>API</strong> since" in page
    link = html.unescape(re.search(r'href="(/admin/incidents/new\?[^"]+)"', page).group(1))
    form = client.get(link).get_data(as_text=True)
    assert 'value="Problems with API"' in form  # the alert's summary is not public text
    selected = re.search(
        rf'<select name="component-{api.public_id}".*?</select>', form, re.S
    ).group(0)
    assert '<option value="degraded_performance" selected>' in selected


def test_no_suggestion_once_an_incident_covers_the_component_or_it_resolves(
    client, as_lead, lead_key
):
    api = create_component(slug="api", name="API")
    create_component(slug="web", name="Web")
    client.post(URL, headers=lead_key, json=notification(alert("f1"), alert("f2", component="web")))
    create_incident(components=[api])
    page = client.get("/admin/").get_data(as_text=True)
    assert "Alert firing on <strong>Web</strong>" in page
    assert "Alert firing on <strong>API</strong>" not in page
    client.post(URL, headers=lead_key, json=notification(alert("f2", "resolved", component="web")))
    assert "Alert firing" not in client.get("/admin/").get_data(as_text=True)


def test_the_edit_form_renames_and_sets_the_alert_mode_in_one_commit(client, as_admin):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app.models import AuditEvent

    api = create_component(slug="api", name="API")
    url = f"/admin/components/{api.public_id}/edit"
    data = {"csrf_token": csrf_token(client, url), "name": "Public API", "slug": "api"}
    commits, flushed = [], set()

    def note_flush(session, _context):
        flushed.update(o.action for o in session.new if isinstance(o, AuditEvent))

    def note_commit(session):
        if flushed:
            commits.append(sorted(flushed))
            flushed.clear()

    event.listen(Session, "after_flush", note_flush)
    event.listen(Session, "after_commit", note_commit)
    try:
        response = client.post(url, data=data | {"alert_mode": "automatic"})
    finally:
        event.remove(Session, "after_flush", note_flush)
        event.remove(Session, "after_commit", note_commit)
    assert response.status_code == 302
    assert commits == [["component.alert_mode", "component.edit"]]  # together, or neither
    db.session.expire_all()
    component = db.session.get(Component, api.id)
    assert (component.name, component.alert_mode) == ("Public API", "automatic")


def test_a_refused_edit_leaves_the_alert_mode_as_it_was(client, as_admin):
    create_component(slug="web", name="Web")
    api = create_component(slug="api", name="API")
    url = f"/admin/components/{api.public_id}/edit"
    data = {"csrf_token": csrf_token(client, url), "name": "API", "slug": "web"}  # taken
    response = client.post(url, data=data | {"alert_mode": "automatic"})
    assert response.status_code == 422
    db.session.expire_all()
    component = db.session.get(Component, api.id)
    assert (component.slug, component.alert_mode) == ("api", "suggest")
