"""The console runs every text through the checks before it goes: one due time for the text and
the reminders, findings that name the line, warnings accepted with one audited action, and a
posted update's typo corrected without telling anyone again."""

import re
from datetime import datetime, timedelta

import pytest
from flask import g

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import AuditEvent, Dispatch, Incident, Reminder, Update
from app.reminders.tick import tick
from app.sqltypes import utcnow
from app.timefmt import format_local, zone
from tests.conftest import csrf_token
from tests.factories import create_component, create_settings

TZ = "Europe/Berlin"


def _minutes_ahead(minutes):
    """(the aware time ``minutes`` from now, to the minute; as the form's input; as texts say)"""
    when = (utcnow() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    return when, when.astimezone(zone(TZ)).strftime("%Y-%m-%dT%H:%M"), format_local(when, TZ)


@pytest.fixture
def incident(client, as_lead):
    create_settings(timezone=TZ)
    g.pop("crier_settings", None)  # the test's app context outlives a request's cache
    api = create_component(slug="api", name="API")
    create_component(slug="ledger", name="Ledger DB", is_public=False)
    with unit_of_work():
        return declare_incident(
            UpdateDraft(
                external_body="We are investigating problems with the API.",
                component_statuses={api.public_id: "major_outage"},
            ),
            title="Payments failing",
            actor=as_lead,
        )


def _url(incident, what="updates/new"):
    return f"/admin/incidents/{incident.public_id}/{what}"


def _post(client, incident, *, what="updates/new", **fields):
    url = _url(incident, what)
    data = {"csrf_token": csrf_token(client, url), "state": "identified", "notify": "y"}
    return client.post(url, data={**data, **fields})


def _latest(incident):
    return db.session.scalars(
        db.select(Update).filter_by(incident_id=incident.id).order_by(Update.id.desc())
    ).first()


def _public_page(client, incident):
    return client.get(f"/incidents/{incident.public_id}").get_data(as_text=True)


def test_the_edited_due_time_is_the_time_customers_are_told_and_the_reminders_chase(
    client, incident
):
    due, typed, said = _minutes_ahead(11)
    response = _post(
        client,
        incident,
        external_body="We found the cause.\n\nWe will post the next update by "
        "{{ next_update_at }}.",
        next_update_by=typed,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    update = _latest(incident)
    assert f"next update by {said}." in update.external_body
    # Published as a <time> of the due time, shown in each reader's zone.
    page = _public_page(client, incident)
    marked = re.search(r'next update by <time datetime="([^"]+)">([^<]+)</time>', page)
    assert marked and marked[2] == said
    assert datetime.fromisoformat(marked[1].replace("Z", "+00:00")) == due
    db.session.refresh(incident)
    assert incident.next_update_due_at == due == update.next_update_by
    tick(now=due + timedelta(seconds=1))
    reminder = db.session.scalar(db.select(Reminder).filter_by(incident_id=incident.id))
    assert reminder.due_at == due


def test_a_typed_time_that_is_not_the_due_time_is_refused_with_a_choice(client, incident):
    due, typed, said = _minutes_ahead(11)
    _other, _, other_said = _minutes_ahead(30)
    text = f"We found the cause.\n\nWe will post the next update by {other_said}."
    refused = _post(client, incident, external_body=text, next_update_by=typed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "line 3" in html and other_said in html
    assert 'value="text:external:3"' in html and 'value="due:external:3"' in html
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1
    # "Say <due> in the text": the text is rewritten to the due time, then posted.
    chosen = _post(
        client, incident, external_body=text, next_update_by=typed, promise="due:external:3"
    )
    body = re.search(r'name="external_body"[^>]*>([^<]*)<', chosen.get_data(as_text=True))
    assert f"by {said}." in body.group(1)
    posted = _post(
        client, incident, external_body=body.group(1).replace("\r\n", "\n"), next_update_by=typed
    )
    assert posted.status_code == 302
    assert f"by {said}." in _latest(incident).external_body
    db.session.refresh(incident)
    assert incident.next_update_due_at == due


def test_choosing_the_texts_time_makes_it_the_next_update_time(client, incident):
    _later, later_typed, later_said = _minutes_ahead(47)
    text = f"Next update by {later_said}."
    chosen = _post(client, incident, external_body=text, promise="text:external:1")
    assert f'value="{later_typed}"' in chosen.get_data(as_text=True)


def test_a_blocking_finding_names_the_line_and_offers_no_acceptance(client, incident):
    response = _post(
        client, incident, external_body="We failed over.\n\nThe Ledger DB is back.", preview="y"
    )
    html = response.get_data(as_text=True)
    assert "line 3" in html and "Ledger DB" in html and "Before this goes out" in html
    assert "Accept the warnings" not in html
    refused = _post(client, incident, external_body="The Ledger DB is back.")
    assert refused.status_code == 422 and "Accept the warnings" not in refused.get_data(
        as_text=True
    )
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1


def test_a_warning_is_accepted_with_one_action_and_the_acceptance_is_audited(client, incident):
    text = "We rolled back the change from JIRA-4211."
    refused = _post(client, incident, external_body=text)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "JIRA-4211" in html
    keys = re.search(r'name="accept_warnings" value="([^"]+)"', html).group(1)
    accepted = _post(client, incident, external_body=text, accept_warnings=keys)
    assert accepted.status_code == 302
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="update.warnings_accepted"))
    assert "JIRA-4211" in str(event.detail)


def test_an_empty_line_to_fill_is_refused_in_the_internal_text(client, incident):
    response = _post(
        client, incident, external_body="Found it.", internal_body="- Cause:\n- Fix: rollback"
    )
    assert response.status_code == 422
    assert "Internal text, line 1" in response.get_data(as_text=True)


def test_the_postmortem_link_must_be_a_whole_address(client, incident):
    with unit_of_work():
        from app.incidents.lifecycle import resolve_incident

        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=incident.lead)
    url = _url(incident, "postmortem")
    form = {"csrf_token": csrf_token(client, url)}
    page = client.get(url).get_data(as_text=True)
    assert "https://)" not in page
    refused = client.post(url, data={**form, "postmortem_url": "https://"})
    assert refused.status_code == 422
    external = re.search(r'name="external_body"[^>]*>([^<]*)<', page).group(1)
    internal = re.search(r'name="internal_body"[^>]*>([^<]*)<', page).group(1)
    hashes = dict(re.findall(r'name="(\w+_(?:hash|for))"[^>]*value="([^"]*)"', page))
    posted = client.post(
        url,
        data={
            **form,
            **{k: v.replace("&#34;", '"').replace("&quot;", '"') for k, v in hashes.items()},
            "external_body": external.replace("&amp;", "&"),
            "internal_body": internal.replace("&amp;", "&"),
            "postmortem_url": "https://example.com/pm/42",
        },
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)
    assert "[Read the postmortem](https://example.com/pm/42)" in _latest(incident).external_body


def test_a_typo_is_corrected_in_the_console_without_telling_anyone_again(client, incident):
    update = db.session.scalar(db.select(Update).filter_by(incident_id=incident.id))
    dispatches = db.session.scalar(db.select(db.func.count(Dispatch.id)))
    url = _url(incident, f"updates/{update.public_id}/correct")
    page = client.get(url)
    assert page.status_code == 200 and "problems with the API" in page.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "external_body": "We are investigating problems with the API and payments.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(update)
    assert update.external_body.endswith("the API and payments.")
    assert "the API and payments." in _public_page(client, incident)
    assert db.session.scalar(db.select(db.func.count(Dispatch.id))) == dispatches
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="update.correct"))
    assert event.detail["before"] == "We are investigating problems with the API."


def test_a_correction_goes_through_the_same_checks(client, incident):
    update = db.session.scalar(db.select(Update).filter_by(incident_id=incident.id))
    url = _url(incident, f"updates/{update.public_id}/correct")
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "external_body": "Ledger DB is down."}
    )
    assert response.status_code == 422 and "Ledger DB" in response.get_data(as_text=True)
    db.session.refresh(update)
    assert update.external_body == "We are investigating problems with the API."
    assert db.session.scalar(db.select(Incident)).title == "Payments failing"


def test_a_word_the_admin_listed_is_refused_in_the_public_text(client, incident):
    from app.models import Setting

    db.session.scalar(db.select(Setting)).blocked_words = "Project Falcon"
    db.session.commit()
    g.pop("crier_settings", None)
    response = _post(client, incident, external_body="Project Falcon's rollout broke checkout.")
    assert response.status_code == 422
    assert "list of words customers must not read" in response.get_data(as_text=True)
    assert _post(client, incident, external_body="A rollout broke checkout.").status_code == 302


def test_after_resolving_the_console_shows_the_status_the_public_page_shows(client, incident):
    from app.incidents.lifecycle import resolve_incident

    with unit_of_work():
        resolve_incident(incident, UpdateDraft(external_body="Fixed."), actor=incident.lead)
    html = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    # As the public page shows it now; what this incident had set only as history.
    assert "API: operational" in html and "API: major outage" not in html
