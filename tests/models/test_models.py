from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from app.extensions import db
from app.models import (
    Component,
    Incident,
    Reminder,
    ReminderLevel,
    Setting,
    Severity,
    StakeholderGroup,
    State,
)
from tests.factories import create_component, create_incident


def test_times_come_back_aware_in_utc(ctx):
    berlin = timezone(timedelta(hours=1))
    incident = create_incident(started_minutes_ago=0)
    incident.started_at = datetime(2026, 11, 23, 15, 5, tzinfo=berlin)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Incident, incident.id)
    assert loaded.started_at == datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
    assert loaded.started_at.utcoffset() == timedelta(0)


def test_naive_times_are_refused(ctx):
    incident = create_incident()
    incident.started_at = datetime(2026, 11, 23, 14, 5)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_component_slugs_are_unique(ctx):
    create_component(slug="api")
    with pytest.raises(IntegrityError):
        create_component(slug="api", name="Another API")
    db.session.rollback()


def test_unknown_status_values_are_refused(ctx):
    component = create_component()
    component.status = "on_fire"
    with pytest.raises(StatementError):
        db.session.commit()
    db.session.rollback()


def test_public_ids_are_short_random_strings(ctx):
    a, b = create_incident(title="A"), create_incident(title="B")
    assert a.public_id != b.public_id
    assert len(a.public_id) == 12 and a.public_id.isalnum() and a.public_id.islower()


def test_one_reminder_per_incident_window_and_level(ctx):
    incident = create_incident()
    due = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    db.session.add(Reminder(incident=incident, due_at=due, level=ReminderLevel.lead))
    db.session.commit()
    db.session.add(Reminder(incident=incident, due_at=due, level=ReminderLevel.lead))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_maintenance_window_must_end_after_it_starts(ctx):
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    db.session.add(
        Incident(
            title="Backwards",
            kind="maintenance",
            state=State.scheduled,
            scheduled_for=start,
            scheduled_until=start - timedelta(hours=1),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_default_cadence_follows_the_design_table(ctx):
    setting = Setting()
    db.session.add(setting)
    db.session.commit()
    assert setting.cadence_for(Severity.SEV1, State.investigating) == 15
    assert setting.cadence_for(Severity.SEV2, State.identified) == 30
    assert setting.cadence_for(Severity.SEV5, State.monitoring) == 480
    assert setting.cadence_for(Severity.SEV1, State.resolved) is None


def test_stakeholder_group_wants_incidents_at_or_above_its_severity():
    group = StakeholderGroup(name="Execs", min_severity=Severity.SEV2)
    assert group.wants(Severity.SEV1) and group.wants(Severity.SEV2)
    assert not group.wants(Severity.SEV3)


def test_component_repr_names_slug_and_status():
    assert repr(Component(slug="api", status="operational")) == "<Component api operational>"
