"""The console on a phone: the preview opens where it is read, final actions stand apart, the
keyboard stays closed on closing forms, the incident page counts down and folds its tables,
and the cadence can be changed where updates are posted and edited."""

import re
from datetime import timedelta

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import AuditEvent
from app.sqltypes import utcnow
from tests.conftest import csrf_token
from tests.factories import create_component


def _declare(lead, **fields):
    with unit_of_work():
        return declare_incident(
            UpdateDraft(external_body="Looking.", internal_body="Paged."),
            title="Checkout errors",
            actor=lead,
            severity="SEV2",
            **fields,
        )


def test_preview_opens_at_the_preview_without_focusing_the_title(client, as_lead):
    url = "/admin/incidents/new"
    page = client.get(url).get_data(as_text=True)
    assert re.search(
        r'<input[^>]*autofocus[^>]*name="title"|<input[^>]*name="title"[^>]*autofocus', page
    )
    assert 'formaction="#previewed"' in page  # the answer opens at its #preview
    preview = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": "Checkout errors",
            "severity": "SEV2",
            "state": "investigating",
            "lead": str(as_lead.id),
            "external_body": "Looking.",
            "preview": "Preview",
        },
    ).get_data(as_text=True)
    assert 'id="previewed"' in preview
    assert "autofocus" not in preview


def test_resolve_stands_apart_from_post_update_and_opens_no_keyboard(client, as_lead):
    incident = _declare(as_lead)
    page = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    actions = re.search(r'<p class="actions">(.*?)</p>', page, re.S).group(1)
    assert "Post update" in actions and "Resolve" not in actions
    final = re.search(r'<section class="card final-actions".*?</section>', page, re.S).group(0)
    assert 'class="button final"' in final and ">Resolve</a>" in final
    resolve = client.get(f"/admin/incidents/{incident.public_id}/resolve").get_data(as_text=True)
    assert "data-no-autofocus" in resolve and 'class="final"' in resolve


def test_the_incident_page_counts_down_and_shows_overdue(client, as_lead):
    incident = _declare(as_lead)
    page = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    assert re.search(r'<strong class="countdown">in \d+ min</strong>', page)
    incident.next_update_due_at = utcnow() - timedelta(minutes=3)
    db.session.commit()
    page = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    assert "due-line is-overdue" in page and "Overdue by 3 min" in page
    assert "countdown.js" in page
    assert '<details class="card audit-fold">' in page


def test_the_cadence_is_overridden_on_post_update_and_on_edit(client, as_lead):
    api = create_component()
    incident = _declare(as_lead)
    url = f"/admin/incidents/{incident.public_id}/updates/new"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "state": "identified",
            "external_body": "Found it.",
            "cadence_minutes": "5",
            f"component-{api.public_id}": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(incident)
    last = incident.updates[-1]
    assert incident.cadence_minutes == 5
    assert incident.next_update_due_at == last.posted_at + timedelta(minutes=5)
    edit = f"/admin/incidents/{incident.public_id}/edit"
    assert 'name="cadence_minutes"' in client.get(edit).get_data(as_text=True)
    response = client.post(
        edit,
        data={
            "csrf_token": csrf_token(client, edit),
            "title": incident.title,
            "severity": "SEV2",
            "impact": incident.impact.value,
            "lead": str(as_lead.id),
            "cadence_minutes": "",  # back to the policy's
        },
    )
    assert response.status_code == 302
    db.session.refresh(incident)
    assert incident.cadence_minutes is None
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="incident.edit"))
    assert event.detail["cadence_minutes"] == [5, None]
