"""Statuspage's scheduled_remind_prior and scheduled_reminded_at through /api/v1: written,
read back, honoured by the tick; Crier's extra scheduled_remind_times checked at the edge."""

from datetime import timedelta

from app.extensions import db
from app.incidents.maintenance import advance_maintenance
from app.models import Incident
from app.sqltypes import utcnow
from tests.factories import create_component

PAGE = "/api/v1/pages/crier"


def _window(api, start, **fields) -> dict:
    return {
        "name": "Database upgrade",
        "status": "scheduled",
        "scheduled_for": start.isoformat().replace("+00:00", "Z"),
        "scheduled_until": (start + timedelta(hours=1)).isoformat(),
        "component_ids": [api.public_id],
        **fields,
    }


def test_remind_prior_round_trips_and_is_honoured(client, lead_key):
    api = create_component()
    start = utcnow().replace(microsecond=0) + timedelta(hours=3)
    body = {"incident": _window(api, start, scheduled_remind_prior=True)}
    created = client.post(f"{PAGE}/incidents", json=body, headers=lead_key)
    assert created.status_code == 201, created.json
    assert created.json["scheduled_remind_prior"] is True
    assert created.json["scheduled_reminded_at"] is None
    url = f"{PAGE}/incidents/{created.json['id']}"

    changed = client.patch(
        url, json={"incident": {"scheduled_remind_times": "2h"}}, headers=lead_key
    )
    assert changed.status_code == 200, changed.json
    assert db.session.scalar(db.select(Incident.remind_minutes)) == "120"

    reminded = start - timedelta(minutes=110)
    assert len(advance_maintenance(now=reminded)) == 1
    read = client.get(url, headers=lead_key).json
    assert read["scheduled_reminded_at"] == reminded.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    off = client.patch(url, json={"incident": {"scheduled_remind_prior": False}}, headers=lead_key)
    assert off.json["scheduled_remind_prior"] is False


def test_a_window_without_the_field_is_not_reminded(client, lead_key):
    api = create_component()
    created = client.post(
        f"{PAGE}/incidents",
        json={"incident": _window(api, utcnow() + timedelta(hours=3))},
        headers=lead_key,
    )
    assert created.json["scheduled_remind_prior"] is False


def test_bad_reminder_times_are_a_422_that_says_why(client, lead_key):
    api = create_component()
    body = {
        "incident": _window(
            api,
            utcnow() + timedelta(hours=3),
            scheduled_remind_prior=True,
            scheduled_remind_times="soon",
        )
    }
    refused = client.post(f"{PAGE}/incidents", json=body, headers=lead_key)
    assert refused.status_code == 422
    assert "24h, 1h" in str(refused.json)
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_start_and_end_notifications_are_honoured_apart(client, lead_key):
    from app.models import State, Update

    api = create_component()
    start = utcnow() + timedelta(hours=3)
    body = {
        "incident": _window(
            api,
            start,
            auto_transition_deliver_notifications_at_start=False,
            auto_transition_deliver_notifications_at_end=True,
        )
    }
    created = client.post(f"{PAGE}/incidents", json=body, headers=lead_key).json
    assert created["auto_transition_deliver_notifications_at_start"] is False
    assert created["auto_transition_deliver_notifications_at_end"] is True
    advance_maintenance(now=start + timedelta(minutes=1))
    advance_maintenance(now=start + timedelta(hours=1, minutes=1))
    notify = dict(db.session.execute(db.select(Update.state, Update.notify)).all())
    assert notify[State.in_progress] is False and notify[State.completed] is True
