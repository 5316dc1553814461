"""Availability per component against its target, on a fixed status history worked out by
hand: major outage counts fully, partial outage at 30 %, maintenance apart."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Component, ComponentStatusChange, Incident, Update
from app.reminders.availability import availability

NOV, DEC = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


def _at(month, day, hour):
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def history(ctx):
    api = Component(slug="api", name="API", slo_target=99.9, created_at=_at(10, 1, 0))
    web = Component(slug="web", name="Web", created_at=_at(11, 15, 0))
    db.session.add_all([api, web])
    updates = {}
    for key, title in [("a", "Database failover"), ("b", "Slow API"), ("c", "Latency")]:
        incident = Incident(title=title, started_at=_at(10, 31, 23))
        updates[key] = Update(incident=incident, state="investigating", posted_at=_at(10, 31, 23))
        db.session.add(updates[key])
    db.session.flush()
    for at, status, update in [
        (_at(10, 31, 23), "major_outage", "a"),  # 1 h of it in November
        (_at(11, 1, 1), "operational", "a"),
        (_at(11, 10, 10), "partial_outage", "b"),  # 2 h at 30 %: 2,160 s
        (_at(11, 10, 12), "operational", "b"),
        (_at(11, 20, 2), "under_maintenance", None),  # 3 h apart
        (_at(11, 20, 5), "operational", None),
        (_at(11, 25, 10), "degraded_performance", "c"),  # not downtime
        (_at(11, 25, 11), "operational", "c"),
    ]:
        db.session.add(
            ComponentStatusChange(
                component=api,
                status=status,
                at=at,
                update_id=updates[update].id if update else None,
            )
        )
    db.session.commit()


def test_the_golden_months_availability(history):
    api, web = availability(NOV, DEC)
    # 30 days = 2,592,000 s, less 3 h (10,800 s) of maintenance: 2,581,200 s measured.
    assert (api.measured, api.maintenance, api.down) == (2_581_200, 10_800, 3_600 + 2_160)
    assert round(api.uptime, 4) == 99.7768  # 1 - 5,760 / 2,581,200
    assert api.budget == 2_581  # 0.1 % of the measured time
    assert round(api.spent, 1) == 223.2  # 5,760 / 2,581: the target was missed
    assert api.incidents == [
        (api.incidents[0][0], "Database failover", 3_600),
        (api.incidents[1][0], "Slow API", 2_160),
    ]
    # Web exists from Nov 15: 16 days measured, never down, no target.
    assert (web.measured, web.down, web.uptime, web.budget, web.spent) == (
        1_382_400,
        0,
        100.0,
        None,
        None,
    )


def test_the_page_and_the_json_show_the_availability(client, history):
    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    create_user(email="viewer@example.com", role="viewer")
    login(client, "viewer@example.com", PASSWORD)
    query = "period=month&on=2026-11-01"
    [api, web] = client.get(f"/admin/reports/measures.json?{query}").get_json()["availability"]
    assert (api["component"], api["uptime"], api["spent"]) == ("API", 99.7768, 223.2)
    assert [i["name"] for i in api["incidents"]] == ["Database failover", "Slow API"]
    assert (web["component"], web["uptime"], web["target"]) == ("Web", 100.0, None)
    section = client.get(f"/admin/reports?{query}").text.split('id="availability"', 1)[1]
    assert "99.7768 %" in section and "223.2 %" in section and "Database failover" in section
