from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Reminder, Setting, Update
from app.reminders.metrics import incidents_comms, monthly_report, report_csv
from tests.conftest import login
from tests.factories import PASSWORD, create_incident, create_user

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def seed_incident():
    """SEV1: updates at 0 (investigating), 10 (identified), 40 (monitoring), resolved at 50."""
    db.session.add(Setting(page_name="Acme"))
    incident = create_incident(severity="SEV1", state="resolved")
    incident.started_at = T0
    incident.resolved_at = at(50)
    for minutes, state in [(0, "investigating"), (10, "identified"), (40, "monitoring"),
                           (50, "resolved")]:  # fmt: skip
        db.session.add(Update(incident=incident, state=state, external_body="x",
                              posted_at=at(minutes)))  # fmt: skip
    db.session.add(Reminder(incident=incident, due_at=at(30), level="lead"))
    db.session.add(Reminder(incident=incident, due_at=at(30), level="commander"))
    db.session.commit()
    return incident


def test_incident_figures(ctx):
    seed_incident()
    [record] = incidents_comms(now=at(600))
    assert record.time_to_first_external == timedelta(0)
    assert record.updates == 4
    # 0->10 within 15 (met), 10->40 beyond 20 (missed), 40->50 within 30 (met)
    assert (record.windows, record.windows_met) == (3, 2)
    assert record.longest_silence == timedelta(minutes=30)
    assert (record.reminders, record.escalations) == (1, 1)


def test_monthly_table_and_csv(ctx):
    seed_incident()
    [row] = monthly_report(incidents_comms(now=at(600)))
    assert row.month == "2026-10" and row.incidents == 1
    assert report_csv([row]).splitlines() == [
        "month,incidents,median_first_update_min,updates,due_windows,windows_met,"
        "adherence_pct,longest_silence_min,reminders,escalations",
        "2026-10,1,0.0,4,3,2,66.7,30.0,1,1",
    ]


def test_reports_page_and_csv_for_a_viewer(client, ctx):
    seed_incident()
    create_user(email="viewer@example.com", role="viewer")
    login(client, "viewer@example.com", PASSWORD)
    html = client.get("/admin/reports?period=quarter&on=2026-10-05").get_data(as_text=True)
    assert "2026-10" in html and "67 % (2/3)" in html
    csv = client.get("/admin/reports.csv")
    assert csv.mimetype == "text/csv" and "2026-10,1,0.0,4,3,2,66.7" in csv.get_data(as_text=True)


def test_an_incident_without_updates_has_no_windows_yet(ctx):
    from tests.factories import create_incident

    incident = create_incident()
    [record] = incidents_comms(now=incident.started_at + timedelta(minutes=5))
    assert (record.updates, record.windows, record.time_to_first_external) == (0, 0, None)
    assert record.longest_silence == timedelta(minutes=5)


def test_the_first_public_update_is_timed_from_detection_not_the_declaration(ctx):
    incident = seed_incident()
    incident.detected_at = at(-12)  # an alert saw it 12 minutes before the lead declared it
    db.session.commit()
    [record] = incidents_comms(now=at(60))
    assert record.time_to_first_external == timedelta(minutes=12)
    assert monthly_report([record])[0].median_first_update_min == 12.0


def test_the_database_counts_windows_and_silences_as_the_incident_page_does(ctx):
    """The report's figures (SQL, ``incidents_comms``) equal the incident page's (Python,
    ``comms_for``) over incidents of every shape: promised times, cadence overrides, the
    policy's minutes per severity and state, closed states, open windows, no update at all."""
    import random

    from app.models import Incident
    from app.reminders.metrics import comms_for

    db.session.add(Setting(page_name="Acme", cadence_policy={
        "SEV1": {"investigating": 15, "identified": 20, "monitoring": 30},
        "SEV2": {"investigating": 30, "monitoring": 60},
    }))  # fmt: skip
    rng = random.Random(24)
    now = at(24 * 60)
    states = ["investigating", "identified", "monitoring", "resolved", "postmortem"]
    for i in range(60):
        started = at(rng.randint(0, 20 * 60))
        incident = create_incident(
            title=f"I{i}",
            severity=rng.choice(["SEV1", "SEV2", "SEV3"]),
            cadence_minutes=rng.choice([None, None, 10, 45]),
            detected_at=started - timedelta(minutes=rng.choice([0, 0, 7])),
        )
        incident.started_at = started
        posted = started
        for _ in range(rng.randint(0, 6)):
            posted = min(posted + timedelta(minutes=rng.choice([0, 5, 14, 15, 16, 40, 90])), now)
            promised = rng.choice([None, None, posted + timedelta(minutes=rng.randint(1, 60))])
            db.session.add(Update(incident=incident, state=rng.choice(states),
                                  external_body=rng.choice(["", "  ", "Looking."]),
                                  posted_at=posted, next_update_by=promised))  # fmt: skip
        if rng.random() < 0.5:
            incident.state, incident.resolved_at = "resolved", posted + timedelta(minutes=3)
        for level in rng.sample(["lead", "commander"], rng.randint(0, 2)):
            db.session.add(Reminder(incident=incident, due_at=posted, level=level))
    db.session.commit()

    def figures(r):
        return (r.time_to_first_external, r.updates, r.windows, r.windows_met,
                r.longest_silence, r.reminders, r.escalations)  # fmt: skip

    from_sql = {r.incident.title: figures(r) for r in incidents_comms(now=now)}
    incidents = db.session.scalars(db.select(Incident)).all()
    from_page = {i.title: figures(comms_for(i, now=now)) for i in incidents}
    assert from_sql == from_page
    # The reports page reads the same figures with the measures, in one query.
    import time_machine

    from app.reminders.measures import incident_measures
    from app.reminders.metrics import comms_of

    with time_machine.travel(now, tick=False):
        records = incident_measures(at(-60), now)
    with_measures = comms_of(records)
    assert {r.incident.title: figures(r) for r in with_measures} == from_sql
    assert [r.incident for r in with_measures] == [r.incident for r in incidents_comms(now=now)]
    assert sum(f[2] for f in from_sql.values()) > 100  # windows of every kind were counted
    assert sum(f[3] for f in from_sql.values()) > 30
