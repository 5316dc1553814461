import re

from werkzeug.routing import Rule

from app.extensions import db
from app.models import WorkerHeartbeat
from app.sqltypes import utcnow
from tests.conftest import login
from tests.factories import PASSWORD, create_incident, create_user


def _example_url(app, rule: Rule) -> str:
    """A concrete URL for ``rule`` with a placeholder for each argument."""
    values = {
        arg: 1 if "int" in str(rule._converters.get(arg, "")).lower() else "x"
        for arg in rule.arguments
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_admin_endpoint_sends_anonymous_visitors_to_login(app, client):
    admin_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert admin_rules, "the admin blueprint has no routes"
    for rule in admin_rules:
        url = _example_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert re.match(r"^/login\?next=", response.location), (method, url, response.location)


def test_dashboard_lists_open_incidents_and_warns_without_a_worker(client, ctx):
    create_user(email="viewer@example.com", role="viewer")
    create_incident(title="Checkout failing", severity="SEV1")
    create_incident(title="Old news", state="resolved")
    login(client, "viewer@example.com", PASSWORD)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Checkout failing" in html and "SEV1" in html
    assert "Old news" not in html
    assert "No worker has ever checked in" in html


def test_dashboard_shows_when_the_worker_was_last_seen(client, ctx):
    create_user(email="viewer@example.com", role="viewer")
    db.session.add(WorkerHeartbeat(worker="host:1", last_seen_at=utcnow()))
    db.session.commit()
    login(client, "viewer@example.com", PASSWORD)
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(r"Worker last seen \d+ s ago\.", html)
