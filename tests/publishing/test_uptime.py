from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import ComponentStatus, ComponentStatusChange
from app.publishing.uptime import uptime_for
from tests.factories import create_component

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY_START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def history(component, *changes):
    for at, status in changes:
        db.session.add(ComponentStatusChange(component=component, status=status, at=at))
    db.session.commit()


def bar(uptime, day):
    return next(d for d in uptime.days if d.day == day.date())


def test_major_counts_fully_partial_at_30_percent_degraded_and_maintenance_not(ctx):
    api = create_component()
    api.created_at = NOW - timedelta(days=200)
    history(
        api,
        (NOW - timedelta(days=100), ComponentStatus.operational),
        (DAY_START + timedelta(hours=1), ComponentStatus.major_outage),  # 60 min
        (DAY_START + timedelta(hours=2), ComponentStatus.partial_outage),  # 100 min * 0.3 = 30
        (DAY_START + timedelta(hours=3, minutes=40), ComponentStatus.degraded_performance),
        (DAY_START + timedelta(hours=5), ComponentStatus.under_maintenance),
        (DAY_START + timedelta(hours=7), ComponentStatus.operational),
    )
    uptime = uptime_for([api], now=NOW, tz_name="UTC")[api.id]
    assert len(uptime.days) == 90
    day = bar(uptime, DAY_START)
    assert day.downtime_minutes == 90.0
    assert day.level == "major"
    assert day.label == "20 Nov 2026: 90 min downtime"
    assert bar(uptime, DAY_START - timedelta(days=1)).level == "none"
    covered = 89 * 24 * 60 + 12 * 60  # 89 whole days and today until noon
    assert uptime.percent == round(100 * (covered - 90) / covered, 2)


def test_short_partial_outage_is_a_minor_day(ctx):
    api = create_component()
    api.created_at = NOW - timedelta(days=200)
    history(
        api,
        (DAY_START + timedelta(hours=1), ComponentStatus.partial_outage),
        (DAY_START + timedelta(hours=2), ComponentStatus.operational),
    )
    day = bar(uptime_for([api], now=NOW, tz_name="UTC")[api.id], DAY_START)
    assert day.downtime_minutes == 18.0 and day.level == "minor"


def test_days_before_the_component_existed_have_no_data(ctx):
    api = create_component()
    api.created_at = NOW - timedelta(days=2, hours=12)
    db.session.commit()
    uptime = uptime_for([api], now=NOW, tz_name="UTC")[api.id]
    assert [d.level for d in uptime.days[-4:]] == ["nodata", "none", "none", "none"]
    assert uptime.days[0].label.endswith("no data")
    assert uptime.percent == 100.0


def test_days_follow_the_page_timezone(ctx):
    api = create_component()
    api.created_at = NOW - timedelta(days=200)
    # 23:30 UTC on the 19th is already the 20th in Tokyo.
    history(
        api,
        (DAY_START - timedelta(minutes=30), ComponentStatus.major_outage),
        (DAY_START - timedelta(minutes=20), ComponentStatus.operational),
    )
    tokyo = uptime_for([api], now=NOW, tz_name="Asia/Tokyo")[api.id]
    assert bar(tokyo, DAY_START).downtime_minutes == 10.0
    utc = uptime_for([api], now=NOW, tz_name="UTC")[api.id]
    assert bar(utc, DAY_START - timedelta(days=1)).downtime_minutes == 10.0
