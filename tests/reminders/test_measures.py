"""Golden figures: a fixed set of incidents, their measures and the report's percentiles,
worked out by hand below (nearest rank: the value at rank ⌈p/100 * n⌉ of the sorted values)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import Component, Incident, IncidentComponent, State, Update
from app.reminders.measures import percentile
from app.reminders.periods import measures_report, period_bounds

MIN = 60


def _at(month, day, hour=10, minutes=0):
    return datetime(2026, month, day, hour, tzinfo=UTC) + timedelta(minutes=minutes)


def _incident(components, severity, impact, *, detected, engaged, mitigated, resolved, public):
    """An incident whose impact started at ``impact``; the others are minutes after it."""
    after = lambda m: None if m is None else impact + timedelta(minutes=m)  # noqa: E731
    incident = Incident(
        title="Golden",
        severity=severity,
        state=State.resolved if resolved is not None else State.investigating,
        started_at=after(detected),
        impact_started_at=impact,
        detected_at=after(detected),
        engaged_at=after(engaged),
        mitigated_at=after(mitigated),
        resolved_at=after(resolved),
    )
    db.session.add(incident)
    for component in components:
        db.session.add(
            IncidentComponent(incident=incident, component=component, status="major_outage")
        )
    # The first update is internal only; the first public one comes at ``public`` minutes.
    db.session.add(Update(incident=incident, state="investigating", external_body="",
                          internal_body="Paged.", posted_at=after(detected)))  # fmt: skip
    if public is not None:
        db.session.add(Update(incident=incident, state="investigating", external_body="Looking.",
                              posted_at=after(public)))  # fmt: skip
    return incident


@pytest.fixture
def golden(ctx):
    api, web = Component(slug="api", name="API"), Component(slug="web", name="Web")
    db.session.add_all([api, web])
    # October: one incident, the previous period's.
    _incident(
        [api], "SEV1", _at(10, 30), detected=30, engaged=31, mitigated=60, resolved=120, public=30
    )
    # November: I1 … I5.
    _incident([api], "SEV1", _at(11, 2), detected=5, engaged=7, mitigated=35, resolved=60, public=8)
    _incident(
        [api], "SEV1", _at(11, 5), detected=2, engaged=12, mitigated=20, resolved=90, public=2
    )
    _incident(
        [web], "SEV2", _at(11, 10), detected=10, engaged=11, mitigated=40, resolved=50, public=20
    )
    _incident(
        [api, web],
        "SEV2",
        _at(11, 20),
        detected=1,
        engaged=None,
        mitigated=30,
        resolved=45,
        public=1,
    )
    _incident(
        [web],
        "SEV2",
        _at(11, 25),
        detected=20,
        engaged=25,
        mitigated=None,
        resolved=None,
        public=None,
    )
    db.session.commit()


def test_nearest_rank_percentiles():
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert [percentile([1, 2, 5, 10, 20], p) for p in (50, 90, 100)] == [5, 20, 20]
    assert [percentile([10, 1, 5, 2], p) for p in (25, 50, 90)] == [1, 2, 10]


def _row(report, group, name, measure):
    [row] = [
        r for r in report["rows"] if (r["group"], r["name"], r["measure"]) == (group, name, measure)
    ]
    return row


def _stats(row, prefix=""):
    return tuple(row[f"{prefix}{s}"] for s in ("count", "p50", "p90", "max"))


def test_the_golden_months_figures(golden):
    report = measures_report(*period_bounds("month", date(2026, 11, 17)))
    assert (
        report["start"] == "2026-11-01T00:00:00+00:00"
        and report["end"] == "2026-12-01T00:00:00+00:00"
    )
    # TTD, minutes: 5, 2, 10, 1, 20 → sorted 1 2 5 10 20; p50 rank 3 = 5; p90 rank 5 = 20.
    assert _stats(_row(report, "all", "all", "ttd")) == (5, 5 * MIN, 20 * MIN, 20 * MIN)
    # TTE: 2, 10, 1, 5 (I4 never engaged) → 1 2 5 10; p50 rank 2 = 2; p90 rank 4 = 10.
    assert _stats(_row(report, "all", "all", "tte")) == (4, 2 * MIN, 10 * MIN, 10 * MIN)
    # TTF from impact start to mitigation: 35, 20, 40, 30 → 20 30 35 40; p50 = 30, p90 = 40.
    assert _stats(_row(report, "all", "all", "ttf")) == (4, 30 * MIN, 40 * MIN, 40 * MIN)
    # TTR: 60, 90, 50, 45 (I5 open) → 45 50 60 90; p50 = 50, p90 = 90.
    assert _stats(_row(report, "all", "all", "ttr")) == (4, 50 * MIN, 90 * MIN, 90 * MIN)
    # First public update after detection: 3, 0, 10, 0 (I5 none) → 0 0 3 10; p50 = 0, p90 = 10.
    assert _stats(_row(report, "all", "all", "ttu")) == (4, 0, 10 * MIN, 10 * MIN)
    # SEV1 TTD: 5, 2 → p50 rank 1 = 2, p90 rank 2 = 5. SEV2 TTR: 50, 45 → 45, 50.
    assert _stats(_row(report, "severity", "SEV1", "ttd")) == (2, 2 * MIN, 5 * MIN, 5 * MIN)
    assert _stats(_row(report, "severity", "SEV2", "ttr")) == (2, 45 * MIN, 50 * MIN, 50 * MIN)
    # The previous period (October): one incident, TTD 30 minutes.
    assert _stats(_row(report, "all", "all", "ttd"), "previous_") == (
        1,
        30 * MIN,
        30 * MIN,
        30 * MIN,
    )
    assert _stats(_row(report, "severity", "SEV2", "ttd"), "previous_") == (0, None, None, None)


def test_time_between_failures_per_component(golden):
    report = measures_report(*period_bounds("month", date(2026, 11, 1)))
    # API: Oct 30 12:00 → Nov 2 10:00 = 70 h; Nov 2 11:00 → Nov 5 10:00 = 71 h;
    # Nov 5 11:30 → Nov 20 10:00 = 358.5 h. Sorted 70 71 358.5: p50 rank 2, p90 rank 3.
    hour = 3600
    assert _stats(_row(report, "component", "API", "tbf")) == (3, 71 * hour, 1290600, 1290600)
    # Web: Nov 10 10:50 → Nov 20 10:00 = 861000 s; Nov 20 10:45 → Nov 25 10:00 = 429300 s.
    assert _stats(_row(report, "component", "Web", "tbf")) == (2, 429300, 861000, 861000)


def test_period_bounds():
    assert period_bounds("quarter", date(2026, 11, 17)) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert period_bounds("year", date(2026, 2, 1))[1] == datetime(2027, 1, 1, tzinfo=UTC)
    assert period_bounds("month", date(2026, 12, 5))[1] == datetime(2027, 1, 1, tzinfo=UTC)
    assert period_bounds("range", date(2026, 1, 1), date(2026, 1, 1)) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 2, tzinfo=UTC),
    )


def _page_rows(html: str) -> list[dict]:
    """The measures table's rows as the page shows them: the <data> values of each cell."""
    import re

    table = html.split('id="measures"', 1)[1].split("</table>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr data-group.*?</tr>", table, flags=re.S):
        group, name, measure = re.findall(r'data-(?:group|name|measure)="([^"]*)"', tr)
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', tr, flags=re.S)
        values = {}
        for label, cell in cells[1:]:
            found = re.search(r'<data value="(\d+)">', cell)
            values[label] = int(found.group(1)) if found else None
        rows.append({"group": group, "name": name, "measure": measure} | values)
    return rows


def test_the_page_the_csv_and_the_json_carry_the_same_numbers(client, golden):
    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    create_user(email="viewer@example.com", role="viewer")  # viewers read the reports
    login(client, "viewer@example.com", PASSWORD)
    query = "period=range&on=2026-11-01&until=2026-11-30"
    # An open incident's silence grows with the clock: the three read the same moment.
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        page = client.get(f"/admin/reports?{query}")
        assert page.status_code == 200
        document = client.get(f"/admin/reports/measures.json?{query}").get_json()
        table = _csv_sections(client.get(f"/admin/reports/measures.csv?{query}").text)[0]
    stats = ["count", "p50", "p90", "max"]
    labels = ["Count", "p50", "p90", "Max"]
    columns = stats + [f"previous_{s}" for s in stats]
    shown = [*labels, "Previous count", "Previous p50", "Previous p90", "Previous max"]
    from_json = [
        [r["group"], r["name"], r["measure"], *(r[c] for c in columns)] for r in document["rows"]
    ]
    number = lambda cell: int(cell) if cell else None  # noqa: E731
    from_csv = [
        [r["group"], r["name"], r["measure"], *(number(r[c]) for c in columns)] for r in table
    ]
    from_page = [
        [r["group"], r["name"], r["measure"], *(r[c] for c in shown)] for r in _page_rows(page.text)
    ]
    assert from_json == from_csv == from_page
    assert len(from_json) > 20  # all, SEV1, SEV2, API, Web: five measures each, and TBF
    assert ["all", "all", "ttd", 5, 300, 1200, 1200, 1, 1800, 1800, 1800] in from_json
    assert ["all", "all", "on_time", 5, 50, 50, 50, 1, 50, 50, 50] in from_json
    assert {r["unit"] for r in table if r["measure"] == "on_time"} == {"percent"}


def _csv_sections(text: str) -> list[list[dict]]:
    """The CSV's tables (separated by a blank line), each read by its own header."""
    import csv
    import io

    return [list(csv.DictReader(io.StringIO(part))) for part in text.strip().split("\n\n")]


def _with_an_outage(golden_components):
    """API down (major outage) for an hour on 2 November; both components exist since 1 Oct."""
    from app.models import ComponentStatusChange

    for component in golden_components:
        component.created_at = _at(10, 1, 0)
    api = golden_components[0]
    db.session.add_all(
        [
            ComponentStatusChange(component=api, status="major_outage", at=_at(11, 2, 10)),
            ComponentStatusChange(component=api, status="operational", at=_at(11, 2, 11)),
        ]
    )
    db.session.commit()


def test_the_csv_carries_the_histograms_and_the_availability_as_the_page(client, golden):
    import re

    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    _with_an_outage(db.session.scalars(db.select(Component).order_by(Component.name)).all())
    create_user(email="viewer@example.com", role="viewer")
    login(client, "viewer@example.com", PASSWORD)
    query = "period=month&on=2026-11-01"
    html = client.get(f"/admin/reports?{query}").text
    document = client.get(f"/admin/reports/measures.json?{query}").get_json()
    measures, histograms, available, _ = _csv_sections(
        client.get(f"/admin/reports/measures.csv?{query}").text
    )
    assert len(measures) == len(document["rows"])
    # Histograms: one row per measure and severity, a column per bin, as the JSON and the page.
    from_csv = {}
    for row in histograms:
        counts = [int(row[label]) for label in document["bins"]]
        from_csv.setdefault(row["histogram"], {})[row["severity"]] = counts
    assert from_csv == document["histograms"] and from_csv["ttd"]["SEV2"][:3] == [1, 1, 1]
    for measure, by_severity in from_csv.items():
        figure = html.split(f'id="histogram-{measure}"', 1)[1].split("</figure>", 1)[0]
        on_page = {}
        for severity, count in re.findall(r'<td data-label="(SEV\d)">(\d+)</td>', figure):
            on_page.setdefault(severity, []).append(int(count))
        assert on_page == by_severity
    # Availability: API down an hour of November's 720 hours, as the JSON and the page say.
    number = lambda cell: None if cell == "" else float(cell)  # noqa: E731
    keys = ["uptime", "target", "measured", "down", "maintenance", "budget", "spent"]
    rows_csv = [[row["component"], *(number(row[k]) for k in keys)] for row in available]
    rows_json = [[row["component"], *(row[k] for k in keys)] for row in document["availability"]]
    assert rows_csv == rows_json
    assert rows_json[0][:5] == ["API", round(100 * (1 - 1 / 720), 4), None, 720 * 3600, 3600]
    table = html.split('id="availability-table"', 1)[1].split("</table>", 1)[0]
    on_page = [
        [name, *(float(v) if v else None for v in values)]
        for name, *values in re.findall(
            r'<tr data-component="([^"]+)">' + r'.*?<data value="([^"]*)"' * 7, table, re.S
        )
    ]
    assert on_page == rows_json


@pytest.mark.parametrize(
    "query",
    [
        "period=decade",
        "on=yesterday",
        "on=2026-02-30",
        "on=0001-01-01",
        "on=" + "9" * 25,
        "period=range&on=2026-11-02&until=2026-11-01",
        "period=range&on=1970-01-01&until=2999-01-01",
        "on=2026-11-01%00",
    ],
)
def test_a_bad_period_is_a_400_with_a_message(client, ctx, query):
    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    create_user(email="viewer@example.com", role="viewer")
    login(client, "viewer@example.com", PASSWORD)
    for path in ("/admin/reports", "/admin/reports/measures.csv", "/admin/reports/measures.json"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)


def test_the_golden_months_histograms(golden):
    report = measures_report(*period_bounds("month", date(2026, 11, 1)))
    assert report["bins"][:3] == ["under 5 min", "5 to 15 min", "15 to 30 min"]
    # TTD: SEV1 5 and 2 min (5 min is the first of "5 to 15"); SEV2 10, 1 and 20 min.
    assert report["histograms"]["ttd"] == {
        "SEV1": [1, 1, 0, 0, 0, 0, 0, 0, 0],
        "SEV2": [1, 1, 1, 0, 0, 0, 0, 0, 0],
    }
    # TTR: SEV1 60 and 90 min (both "1 to 2 h"); SEV2 50 and 45 min; I5 is still open.
    assert report["histograms"]["ttr"] == {
        "SEV1": [0, 0, 0, 0, 2, 0, 0, 0, 0],
        "SEV2": [0, 0, 0, 2, 0, 0, 0, 0, 0],
    }


def test_the_page_draws_each_histogram_with_its_table(client, golden):
    import base64
    import re

    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    create_user(email="viewer@example.com", role="viewer")
    login(client, "viewer@example.com", PASSWORD)
    query = "period=month&on=2026-11-01"
    html = client.get(f"/admin/reports?{query}").text
    document = client.get(f"/admin/reports/measures.json?{query}").get_json()
    figure = html.split('id="histogram-ttd"', 1)[1].split("</figure>", 1)[0]
    src = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', figure)
    svg = base64.b64decode(src.group(1))
    assert svg.startswith(b"<svg") and b"SEV2" in svg
    assert not re.search(rb'(?:href|src)="', svg)  # nothing fetched from anywhere
    assert src.group(2).startswith("Time to detect of 5 incidents, by severity (SEV1, SEV2)")
    cells = re.findall(r'<td data-label="(SEV\d)">(\d+)</td>', figure)
    table = {}
    for severity, count in cells:
        table.setdefault(severity, []).append(int(count))
    assert table == document["histograms"]["ttd"]


def test_the_golden_months_quadrant(golden):
    report = measures_report(*period_bounds("month", date(2026, 11, 1)))
    quadrant = report["quadrant"]
    # Median TTR per component: API 45, 60, 90 min → 60 min; Web 50, 45 min → rank 1 = 45 min.
    # Median TBF: API 71 h (above); Web 429300 s. The lines sit at the median of the two.
    assert quadrant["tbf_line"] == (71 * 3600 + 429300) / 2
    assert quadrant["ttr_line"] == (60 * MIN + 45 * MIN) / 2
    assert quadrant["components"] == [
        {"component": "API", "tbf": 71 * 3600, "ttr": 60 * MIN,
         "quadrant": "fails often, recovers slowly"},
        {"component": "Web", "tbf": 429300, "ttr": 45 * MIN,
         "quadrant": "fails rarely, recovers fast"},
    ]  # fmt: skip


def test_the_page_draws_the_quadrant_with_its_table_and_says_where_each_component_is(
    client, golden
):
    import base64
    import re

    from tests.conftest import login
    from tests.factories import PASSWORD, create_user

    create_user(email="viewer@example.com", role="viewer")
    login(client, "viewer@example.com", PASSWORD)
    query = "period=month&on=2026-11-01"
    html = client.get(f"/admin/reports?{query}").text
    figure = html.split('id="quadrant"', 1)[1].split("</figure>", 1)[0]
    src = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', figure)
    svg = base64.b64decode(src.group(1))
    assert svg.startswith(b"<svg") and b"API" in svg and b"Web" in svg  # each point labelled
    assert not re.search(rb'(?:href|src)="', svg)
    assert "API fails often, recovers slowly" in src.group(2)
    assert "Web fails rarely, recovers fast" in src.group(2)
    rows = re.findall(
        r'<tr data-component="([^"]+)">.*?<data value="(\d+)">.*?<data value="(\d+)">.*?'
        r"<td[^>]*>([^<]+)</td>",
        figure,
        re.S,
    )
    assert rows == [
        ("API", str(71 * 3600), str(60 * MIN), "fails often, recovers slowly"),
        ("Web", "429300", str(45 * MIN), "fails rarely, recovers fast"),
    ]
    csv_quadrant = _csv_sections(client.get(f"/admin/reports/measures.csv?{query}").text)[3]
    assert [
        (r["quadrant_component"], r["tbf_p50"], r["ttr_p50"], r["quadrant"]) for r in csv_quadrant
    ] == rows


def test_the_golden_months_updates_on_time_and_longest_silences(golden):
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        report = measures_report(*period_bounds("month", date(2026, 11, 1)))
    # No page settings: every window is 30 minutes. Each of I1…I4 meets its first window (the
    # public update within 30 minutes) and misses the second (nothing followed); I5 has one
    # window, missed: 50, 50, 50, 50, 0 % → sorted 0 50 50 50 50, p50 rank 3 = 50.
    row = _row(report, "all", "all", "on_time")
    assert _stats(row) == (5, 50, 50, 50) and row["unit"] == "percent"
    # Longest silences: I1 52 min (8 → 60), I2 88, I3 30, I4 44, and I5, open, from its only
    # update (25 Nov 10:20) to now (1 Dec 00:00) = 481200 s. Sorted 30 44 52 88 …: p50 = 52.
    row = _row(report, "all", "all", "silence")
    assert _stats(row) == (5, 52 * MIN, 481200, 481200) and row["unit"] == "seconds"
    assert _stats(_row(report, "severity", "SEV1", "silence")) == (2, 52 * MIN, 88 * MIN, 88 * MIN)
    # October's incident: 50 %, silent 90 minutes (from its public update to its resolution).
    assert _stats(_row(report, "all", "all", "on_time"), "previous_") == (1, 50, 50, 50)
    assert _stats(_row(report, "all", "all", "silence"), "previous_") == (1, *[90 * MIN] * 3)


def test_a_closed_periods_read_is_remembered_until_the_data_under_it_changes(golden):
    from sqlalchemy import event

    statements = []

    def count(*args):
        statements.append(1)

    october = period_bounds("month", date(2026, 10, 1))
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = measures_report(*october)
        assert len(statements) >= 4  # the fingerprint, the measures, the components, the TBF
        statements[:] = []
        assert measures_report(*october) == first and len(statements) == 1  # the fingerprint
        # November has I5, still open: its figures move with the clock, so it is read each time.
        measures_report(*period_bounds("month", date(2026, 11, 1)))
        statements[:] = []
        measures_report(*period_bounds("month", date(2026, 11, 1)))
        assert len(statements) >= 4
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert _stats(_row(first, "all", "all", "ttd")) == (1, 30 * MIN, 30 * MIN, 30 * MIN)
    # A correction of a moment, a renamed component, a new update: each is in the next report.
    incident = db.session.scalars(db.select(Incident).order_by(Incident.started_at)).first()
    incident.detected_at = incident.impact_started_at + timedelta(minutes=10)
    db.session.commit()
    assert _stats(_row(measures_report(*october), "all", "all", "ttd"))[1] == 10 * MIN
    db.session.scalars(db.select(Component).filter_by(slug="api")).one().name = "Public API"
    db.session.commit()
    assert {r["name"] for r in measures_report(*october)["rows"] if r["group"] == "component"} == {
        "Public API"
    }
    db.session.add(Update(incident=incident, state="investigating", external_body="Sooner.",
                          posted_at=incident.detected_at))  # fmt: skip
    db.session.commit()
    assert _stats(_row(measures_report(*october), "all", "all", "ttu"))[1] == 0
