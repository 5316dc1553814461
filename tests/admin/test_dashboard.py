import re
from datetime import timedelta

from app.extensions import db
from app.sqltypes import utcnow
from tests.factories import create_incident


def test_the_tab_title_counts_what_is_overdue_and_rows_show_urgency(client, as_lead):
    now = utcnow()
    create_incident(title="Late one", next_update_due_at=now - timedelta(minutes=4, seconds=5))
    create_incident(title="Soon one", next_update_due_at=now + timedelta(minutes=3))
    create_incident(title="Calm one", next_update_due_at=now + timedelta(minutes=40))
    html = client.get("/admin/").get_data(as_text=True)
    assert "<title>(1 overdue) Dashboard" in html
    assert re.search(r'class="row-overdue"[^>]*>.*?Late one.*?Overdue by 4 min', html, re.S)
    assert re.search(r'class="row-soon"[^>]*>.*?Soon one', html, re.S)
    assert html.index("Late one") < html.index("Soon one") < html.index("Calm one")


def test_without_javascript_the_dashboard_reloads_itself(client, as_lead):
    html = client.get("/admin/").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert "<title>Dashboard" in html  # nothing overdue, nothing counted


def test_the_live_document_answers_304_until_something_changes(client, as_lead):
    incident = create_incident(title="Checkout errors", next_update_due_at=utcnow())
    first = client.get("/admin/dashboard.json")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    state = first.get_json()
    assert state["open"] == 1 and state["overdue"] == 1
    assert "Checkout errors" in state["rows"] and "Overdue by" not in state["rows"]
    etag = first.headers["ETag"]

    again = client.get("/admin/dashboard.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    incident.title = "Checkout errors for EU customers"
    db.session.commit()
    changed = client.get("/admin/dashboard.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "EU customers" in changed.get_json()["rows"]


def test_the_live_document_needs_a_signed_in_user(client, ctx):
    response = client.get("/admin/dashboard.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
