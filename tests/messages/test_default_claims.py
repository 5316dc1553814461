"""The default templates claim only what the incident's facts give, every fact of a prefilled
text comes from the incident, and a line whose value is empty is left out, as posted through
the verbs (the texts that reach customers and stakeholders)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident, post_postmortem, resolve_incident
from app.incidents.updates import post_update
from app.messages.defaults import DEFAULT_TEMPLATES
from app.messages.seed import seed_default_templates
from app.models import Severity
from tests.factories import create_component, create_settings, create_user

T0 = datetime(2026, 12, 3, 7, 33, tzinfo=UTC)  # 08:33 CET
TEMPLATES = {"external_body": "(t)", "internal_body": "(t)", "prefilled": ("external", "internal")}


@pytest.fixture
def page(ctx):
    create_settings(timezone="Europe/Berlin")
    seed_default_templates()
    db.session.commit()
    return {
        "lead": create_user(),
        "api": create_component(slug="api", name="API", position=0),
        "search": create_component(slug="search", name="Search", position=1),
    }


def _declare(page, statuses, *, at=T0):
    with time_machine.travel(at, tick=False), unit_of_work():
        return declare_incident(
            UpdateDraft(
                external_body="(template)",
                internal_body="(template)",
                component_statuses=statuses,
                prefilled=("external", "internal"),
            ),
            title="Payments failing",
            severity=Severity.SEV1,
            actor=page["lead"],
        )


def _update(page, incident, state, statuses=None, *, at, **draft):
    with time_machine.travel(at, tick=False), unit_of_work():
        return post_update(
            incident,
            UpdateDraft(
                external_body="(template)",
                internal_body="(template)",
                component_statuses=statuses or {},
                prefilled=("external", "internal"),
                **draft,
            ),
            state=state,
            actor=page["lead"],
        )


def test_no_default_says_no_data_was_lost():
    for table in DEFAULT_TEMPLATES.values():
        for _subject, body in table.values():
            assert "data was lost" not in body.lower()
            assert "data loss" not in body.lower()


def test_monitoring_does_not_promise_normal_service_while_a_component_is_down(page):
    incident = _declare(page, {page["api"].public_id: "major_outage"})
    update = _update(page, incident, "monitoring", at=T0 + timedelta(minutes=10))
    assert "working normally" not in update.external_body
    assert "API may still show problems." in update.external_body
    fixed = _update(
        page,
        incident,
        "monitoring",
        {page["api"].public_id: "operational"},
        at=T0 + timedelta(minutes=20),
    )
    assert "You should see things working normally again." in fixed.external_body


def test_no_empty_lines_to_fill_go_out_with_the_default_texts(page):
    incident = _declare(page, {page["api"].public_id: "major_outage"})
    posted = [incident.updates[0]]
    for i, state in enumerate(("identified", "monitoring")):
        posted.append(_update(page, incident, state, at=T0 + timedelta(minutes=5 * (i + 1))))
    for update in posted:
        for body in (update.external_body, update.internal_body):
            for label in ("What we know:", "What we are doing:", "Cause:", "What changed:"):
                assert label not in body, body


def test_a_component_added_mid_incident_was_affected_from_its_own_start(page):
    incident = _declare(page, {page["api"].public_id: "major_outage"})
    _update(
        page,
        incident,
        "identified",
        {page["search"].public_id: "degraded_performance"},
        at=T0 + timedelta(minutes=22),  # 08:55 CET
    )
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False), unit_of_work():
        resolved = resolve_incident(incident, UpdateDraft(**TEMPLATES), actor=page["lead"])
    assert "API (from 2026-12-03 08:33 CET)" in resolved.external_body
    assert "Search (from 2026-12-03 08:55 CET)" in resolved.external_body


def test_a_postmortem_links_to_its_address_or_says_nothing_of_a_link(page):
    incident = _declare(page, {page["api"].public_id: "major_outage"})
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False), unit_of_work():
        resolve_incident(incident, UpdateDraft(**TEMPLATES), actor=page["lead"])
    with pytest.raises(ServiceError) as refused, unit_of_work():
        post_postmortem(
            incident, UpdateDraft(postmortem_url="https://", **TEMPLATES), actor=page["lead"]
        )
    assert refused.value.field == "postmortem_url"
    with unit_of_work():
        update = post_postmortem(
            incident,
            UpdateDraft(postmortem_url="https://example.com/pm/42", **TEMPLATES),
            actor=page["lead"],
        )
    assert "[Read the postmortem](https://example.com/pm/42)" in update.external_body
    assert "https://)" not in update.external_body
