from datetime import timedelta

from app.incidents.dashboard import dashboard_rows
from app.sqltypes import utcnow
from tests.factories import create_incident


def test_rows_are_ordered_most_urgent_first(ctx):
    now = utcnow()
    create_incident(
        title="Old SEV1, due in 20 min",
        severity="SEV1",
        started_minutes_ago=60,
        next_update_due_at=now + timedelta(minutes=20),
    )
    create_incident(
        title="New SEV3, overdue by 4 min",
        severity="SEV3",
        started_minutes_ago=10,
        next_update_due_at=now - timedelta(minutes=4),
    )
    create_incident(title="Monitoring, nothing due", severity="SEV1", state="monitoring")
    create_incident(
        title="Database upgrade",
        kind="maintenance",
        state="in_progress",
        started_minutes_ago=90,
        scheduled_for=now - timedelta(minutes=90),
        scheduled_until=now + timedelta(minutes=30),
    )
    create_incident(
        title="SEV2, due in 2 min",
        severity="SEV2",
        next_update_due_at=now + timedelta(minutes=2),
    )
    create_incident(
        title="SEV4, overdue by 30 min",
        severity="SEV4",
        next_update_due_at=now - timedelta(minutes=30),
    )

    rows = dashboard_rows(now)

    assert [row.incident.title for row in rows] == [
        "SEV4, overdue by 30 min",
        "New SEV3, overdue by 4 min",
        "SEV2, due in 2 min",
        "Old SEV1, due in 20 min",
        "Monitoring, nothing due",
        "Database upgrade",
    ]
    assert [row.overdue for row in rows][:3] == [True, True, False]
    assert [row.due_soon for row in rows][:4] == [False, False, True, False]
