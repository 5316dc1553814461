import io

import pytest

from app.extensions import db
from app.models import DispatchStatus, StakeholderGroup, Subscriber
from tests.conftest import csrf_token, login
from tests.factories import (
    PASSWORD,
    create_component,
    create_incident,
    create_subscriber,
    create_user,
    post_update,
)


@pytest.fixture
def admin(client, ctx):
    create_user(email="admin@example.com", role="admin")
    login(client, "admin@example.com", PASSWORD)
    return client


def test_subscriber_list_searches_and_counts_by_status(admin):
    create_subscriber(email="alice@example.com")
    create_subscriber(email="bob@example.com", confirmed=False)
    create_subscriber(email="carol@example.com", unsubscribed=True)
    create_subscriber(email="dave@example.com", suppressed="bounced: 550 no such user")
    html = admin.get("/admin/subscribers").get_data(as_text=True)
    assert 'data-count="all">5' not in html and 'data-count="all">4<' in html
    assert 'data-count="active">1<' in html and 'data-count="suppressed">1<' in html
    assert "bounced: 550 no such user" in html
    found = admin.get("/admin/subscribers?q=ALI").get_data(as_text=True)
    assert "alice@example.com" in found and "bob@example.com" not in found
    pending = admin.get("/admin/subscribers?status=pending").get_data(as_text=True)
    assert "bob@example.com" in pending and "alice@example.com" not in pending


def test_leads_cannot_see_subscribers(client, ctx):
    create_user(email="lead@example.com", role="lead")
    login(client, "lead@example.com", PASSWORD)
    assert client.get("/admin/subscribers").status_code == 403
    assert client.get("/admin/subscribers/export.csv").status_code == 403


def test_export_is_csv_without_tokens(admin):
    api = create_component(slug="api", name="API")
    sub = create_subscriber(email="alice@example.com", components=[api])
    response = admin.get("/admin/subscribers/export.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].startswith("email,status,components")
    assert "alice@example.com,active,api," in text
    assert sub.token_hash not in text


def test_export_defuses_spreadsheet_formulas(admin):
    create_subscriber(email="=cmd@example.com", suppressed="+bounced")
    text = admin.get("/admin/subscribers/export.csv").get_data(as_text=True)
    assert "'=cmd@example.com,suppressed,," in text and text.rstrip().endswith(",'+bounced")


def upload(admin, text, consented):
    data = {
        "file": (io.BytesIO(text.encode()), "subs.csv"),
        "csrf_token": csrf_token(admin, "/admin/subscribers/import"),
    }
    if consented:
        data["consented"] = "y"
    return admin.post("/admin/subscribers/import", data=data, content_type="multipart/form-data")


def statuses():
    db.session.expire_all()
    return {s.email: s.is_active for s in db.session.scalars(db.select(Subscriber))}


def test_import_confirms_only_with_consent_and_never_resubscribes(admin, outbox):
    create_component(slug="api", name="API")
    create_subscriber(email="left@example.com", unsubscribed=True)
    csv = "email,components\nnew@example.com,api\nleft@example.com,\nnot-an-email,\n"
    response = upload(admin, csv, consented=False)
    assert response.status_code == 302
    assert statuses() == {"left@example.com": False, "new@example.com": False}
    assert [m["To"] for m in outbox] == ["new@example.com"]
    upload(admin, "consented@example.com\n", consented=True)
    assert statuses()["consented@example.com"] is True
    assert len(outbox) == 1
    page = admin.get("/admin/subscribers").get_data(as_text=True)
    assert "Row 3" in page or "Imported 1" in page


def test_stakeholder_groups_are_managed_in_the_admin(admin):
    data = {
        "name": "Execs",
        "emails": "ceo@corp.example\ncto@corp.example, ceo@corp.example",
        "min_severity": "SEV2",
        "csrf_token": csrf_token(admin, "/admin/stakeholders/new"),
    }
    assert admin.post("/admin/stakeholders/new", data=data).status_code == 302
    group = db.session.scalar(db.select(StakeholderGroup))
    assert group.emails == ["ceo@corp.example", "cto@corp.example"]
    bad = dict(data, emails="nope", csrf_token=csrf_token(admin, f"/admin/stakeholders/{group.id}"))
    response = admin.post(f"/admin/stakeholders/{group.id}", data=bad)
    assert response.status_code == 422 and "not valid" in response.get_data(as_text=True)
    assert "Execs" in admin.get("/admin/stakeholders").get_data(as_text=True)
    token = csrf_token(admin, "/admin/stakeholders")
    admin.post(f"/admin/stakeholders/{group.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(db.select(StakeholderGroup)) is None


def test_dispatch_numbers_and_provider_errors_show_in_the_admin(
    app, admin, sendgrid_app, sendgrid_server
):
    create_subscriber(email="a@example.com")
    sendgrid_server.answer(401, message="The provided authorization grant is invalid")
    incident = create_incident(title="Checkout failing")
    update = post_update(incident)
    with app.app_context():
        page = admin.get(f"/admin/incidents/{incident.public_id}/dispatches")
        html = page.get_data(as_text=True)
        assert "The provided authorization grant is invalid" in html
        assert "dispatch-failed" in html
        dashboard = admin.get("/admin/").get_data(as_text=True)
    assert "Email failed" in dashboard and "authorization grant is invalid" in dashboard
    assert update.id and DispatchStatus.failed


def test_a_failed_dispatch_can_be_sent_again_from_where_it_stopped(
    app, client, sendgrid_app, sendgrid_server
):
    from app.models import Dispatch
    from tests.factories import create_subscribers

    create_user(email="lead@example.com", role="lead")
    create_subscribers(3)
    sendgrid_server.answer(401, message="bad key")
    incident = create_incident()
    post_update(incident)
    db.session.expire_all()
    dispatch = db.session.scalar(db.select(Dispatch))
    assert dispatch.status == DispatchStatus.failed
    with app.app_context():
        login(client, "lead@example.com", PASSWORD)
        url = f"/admin/incidents/{incident.public_id}/dispatches"
        token = csrf_token(client, url)
        response = client.post(f"/admin/dispatches/{dispatch.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dispatch, dispatch.id).status == DispatchStatus.sent
    assert len(sendgrid_server.delivered_to()) == 3


def test_a_csv_field_past_the_csv_limit_is_a_message(admin, outbox):
    response = upload(admin, "ok@example.com\n" + "x" * (200 * 1024) + "@example.com\n", True)
    assert response.status_code == 422
    assert "Line 2 is not readable CSV" in response.get_data(as_text=True)
    assert statuses() == {}


def test_stakeholder_group_changes_are_audited_without_the_slack_secret(admin):
    """Who hears internal text (members, the Slack URL) is a change worth a trace: creating,
    editing and deleting a group each write an audit event; the webhook's secret path is never
    written out in full."""
    from app.models import AuditEvent

    secret = "Xq8vLr2NcB7tYw3KzP5mHs1D"
    url = f"https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/{secret}"
    data = {
        "name": "Execs",
        "emails": "ceo@corp.example",
        "min_severity": "SEV2",
        "slack_url": url,
        "csrf_token": csrf_token(admin, "/admin/stakeholders/new"),
    }
    assert admin.post("/admin/stakeholders/new", data=data).status_code == 302
    group = db.session.scalar(db.select(StakeholderGroup))
    edit = f"/admin/stakeholders/{group.id}"
    changed = dict(data, emails="ceo@corp.example\ncfo@corp.example", slack_url="")
    changed["csrf_token"] = csrf_token(admin, edit)
    assert admin.post(edit, data=changed).status_code == 302
    cleared = dict(changed, clear_slack="y", csrf_token=csrf_token(admin, edit))
    assert admin.post(edit, data=cleared).status_code == 302
    token = csrf_token(admin, "/admin/stakeholders")
    admin.post(f"/admin/stakeholders/{group.id}/delete", data={"csrf_token": token})
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action.like("stakeholder_group.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "stakeholder_group.create",
        "stakeholder_group.edit",
        "stakeholder_group.edit",
        "stakeholder_group.delete",
    ]
    assert all(e.actor and e.actor.email == "admin@example.com" for e in events)
    created, added, removed, deleted = (e.detail for e in events)
    assert created["name"] == "Execs" and created["emails"] == ["ceo@corp.example"]
    assert created["slack_webhook_url"].startswith("https://hooks.slack.com/")
    assert added["emails"] == {"added": ["cfo@corp.example"], "removed": []}
    assert "slack_webhook_url" not in added  # a blank field keeps the webhook
    assert removed["slack_webhook_url"][1] is None
    assert deleted["name"] == "Execs"
    for event in events:
        assert secret not in str(event.detail), event.action
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "stakeholder_group.create" in page and secret not in page
