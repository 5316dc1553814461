"""The history's months come from one grouped query, and still follow the page's timezone."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Incident
from app.publishing.pages import history_months, month_of
from tests.factories import create_component, create_incident

# Each one sits near a month's edge somewhere: 23:30 UTC on 30 Nov is December in Tokyo;
# 03:00 UTC on 1 Dec is still November in Los Angeles.
STARTS = [
    datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
    datetime(2026, 11, 10, 12, 0, tzinfo=UTC),
    datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
    datetime(2026, 10, 31, 14, 0, tzinfo=UTC),
    datetime(2026, 8, 1, 0, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
]


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_history_months_are_the_local_months_of_every_start(ctx, tz):
    api = create_component()
    for n, start in enumerate(STARTS):
        incident = create_incident(title=f"Incident {n}", state="resolved", components=[api])
        incident.started_at = start
    create_incident(title="Not public", state="resolved", is_public=False).started_at = datetime(
        2024, 5, 5, tzinfo=UTC
    )
    db.session.commit()
    expected = sorted({month_of(at, tz) for at in STARTS}, reverse=True)
    assert history_months(None, tz) == expected
    assert history_months(api, tz) == expected
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == len(STARTS) + 1
