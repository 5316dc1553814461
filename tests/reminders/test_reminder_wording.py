"""A reminder is written for the person who reads it, under the page's name, in a named zone
with UTC beside it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import Setting
from app.reminders.tick import tick
from tests.factories import create_incident, create_user

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def lead(ctx):
    db.session.add(Setting(page_name="Acme Status", timezone="Europe/Berlin"))
    return create_user(email="lead@example.com", name="Lena Lead")


def _declare(lead, commander):
    with time_machine.travel(T0, tick=False):
        return create_incident(
            title="Elevated API errors",
            severity="SEV1",
            lead=lead,
            commander=commander,
            started_minutes_ago=0,
            updates=[("We are investigating.", "")],
            next_update_due_at=T0 + timedelta(minutes=15),
        )


def _tick(minutes):
    with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
        return [r.level.value for r in tick()]


def test_a_lead_who_is_also_the_commander_is_addressed_as_such(lead, outbox):
    _declare(lead, lead)
    assert _tick(19) == ["lead"] and _tick(23) == ["commander"]
    escalation = outbox[-1]
    assert escalation["To"] == "lead@example.com"
    assert escalation["Subject"].startswith("[Acme Status] ESCALATION: Update due on SEV1")
    body = escalation.get_content()
    assert "has not posted; you are the Incident Commander" not in body
    assert "You are the Comms Lead and the Incident Commander" in body


def test_the_commander_and_the_lead_each_get_their_own_words(lead, outbox):
    commander = create_user(email="ic@example.com", name="Ivan Commander")
    _declare(lead, commander)
    _tick(19), _tick(23)
    by_reader = {m["To"]: m.get_content() for m in outbox[-2:]}
    assert (
        "The Comms Lead (Lena Lead) has not posted; you are the Incident Commander."
        in (by_reader["ic@example.com"])
    )
    to_lead = by_reader["lead@example.com"]
    assert "you are the Incident Commander" not in to_lead
    assert "Ivan Commander (the Incident Commander) has been told." in to_lead


def test_times_name_the_zone_and_give_utc(lead, outbox):
    _declare(lead, None)
    _tick(19)
    (message,) = outbox
    assert message["Subject"].startswith("[Acme Status] Update due")
    assert "promised for 2026-11-23 15:15 CET (14:15 UTC)" in message.get_content()
