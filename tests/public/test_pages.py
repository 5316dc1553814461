import gzip
import re
from datetime import UTC, datetime, timedelta

from app.core.uow import unit_of_work
from app.demo import seed_demo
from app.extensions import db
from app.models import ComponentStatus, Impact
from app.publishing.publish import publish_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_settings


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_banner_says_statuspage_texts_from_components_and_incidents(client, ctx):
    api = create_component(status=ComponentStatus.degraded_performance)
    publish_site()
    assert "<h1>Degraded System Service</h1>" in html(client, "/")
    api.status = ComponentStatus.major_outage
    db.session.commit()
    publish_site()
    assert "<h1>Major System Outage</h1>" in html(client, "/")
    api.status = ComponentStatus.operational
    create_incident(title="Slow logins", impact=Impact.major, updates=[("Looking.", "")])
    publish_site()
    assert "<h1>Partial System Outage</h1>" in html(client, "/")


def test_maintenance_banner_and_sections(client, ctx):
    create_component(status=ComponentStatus.under_maintenance)
    now = utcnow()
    create_incident(
        title="Database upgrade",
        kind="maintenance",
        state="in_progress",
        scheduled_for=now - timedelta(minutes=5),
        scheduled_until=now + timedelta(hours=1),
        updates=[("Upgrade under way.", "")],
    )
    create_incident(
        title="Certificate rotation",
        kind="maintenance",
        state="scheduled",
        started_minutes_ago=-600,
        scheduled_for=now + timedelta(days=2),
        scheduled_until=now + timedelta(days=2, hours=1),
        updates=[("We will rotate certificates.", "")],
    )
    publish_site()
    page = html(client, "/")
    assert "<h1>Service Under Maintenance</h1>" in page
    now_at, upcoming_at = page.index("Maintenance in progress"), page.index("Upcoming maintenance")
    assert now_at < page.index("Database upgrade") < upcoming_at
    assert upcoming_at < page.index("Certificate rotation")


def test_groups_collapse_without_js_and_components_show_uptime_bars(client, ctx):
    create_component(slug="api", name="Public API", group="Core")
    create_component(slug="cdn", name="CDN", position=1)
    publish_site()
    page = html(client, "/")
    assert re.search(r"<details open>\s*<summary>Core</summary>", page)
    assert page.count('class="uptime" role="img"') == 2
    # One sentence per component for screen readers, not one per day.
    assert 'aria-label="Public API: 100.00 % uptime over 90 days; no outages."' in page
    assert len(re.findall(r'<i(?: class="[nmx]")?></i>', page)) == 180  # one bare bar a day
    assert "100.00 % uptime" in page


def test_the_demo_status_page_is_light_and_grows_little_per_component(client, ctx):
    with unit_of_work():
        seed_demo()
    publish_site()
    page = client.get("/").get_data()
    assert len(page) <= 40_000 and len(gzip.compress(page, 9)) <= 6_000
    for n in range(10):
        create_component(slug=f"extra-{n}", name=f"Extra component {n}", position=100 + n)
    publish_site()
    assert (len(client.get("/").get_data()) - len(page)) / 10 <= 3_000


def test_open_incident_shows_external_updates_newest_first(client, ctx):
    api = create_component()
    create_incident(
        title="API errors",
        components=[api],
        updates=[("First we looked.", "i1"), ("Then we **found** it.", "i2")],
    )
    publish_site()
    page = html(client, "/")
    assert page.index("Then we <strong>found</strong> it.") < page.index("First we looked.")


def test_past_fourteen_days_list_resolved_incidents_by_day(client, ctx):
    create_component()
    started = utcnow() - timedelta(days=3)
    create_incident(
        title="Old hiccup",
        state="resolved",
        started_minutes_ago=3 * 24 * 60,
        resolved_at=started + timedelta(minutes=20),
        updates=[("Resolved.", "")],
    )
    create_incident(title="Ancient", state="resolved", started_minutes_ago=20 * 24 * 60)
    publish_site()
    page = html(client, "/")
    past = page[page.index("Past incidents") :]
    assert past.count('class="day-heading"') == 14
    assert "Old hiccup" in past and "Ancient" not in page
    assert "No incidents reported." in past


def test_subscribe_history_and_feed_links(client, ctx):
    publish_site()
    page = html(client, "/")
    for href in ('href="/subscribe"', 'href="/history.atom"', 'href="/history.rss"'):
        assert href in page
    assert 'href="/history"' in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert '<link rel="alternate" type="application/rss+xml"' in page


def test_incident_page_has_facts_and_full_timeline_in_page_time(client, ctx):
    create_settings(timezone="Europe/Berlin")
    api = create_component(name="Public API")
    incident = create_incident(
        title="API errors",
        components=[api],
        state="resolved",
        impact=Impact.minor,
        updates=[("Investigating.", ""), ("Fixed.", "")],
    )
    incident.started_at = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    incident.resolved_at = datetime(2026, 11, 23, 14, 20, tzinfo=UTC)
    db.session.commit()
    publish_site()
    page = html(client, f"/incidents/{incident.public_id}")
    assert "<h1>API errors</h1>" in page
    assert "Minor" in page and "Public API" in page and "Resolved" in page
    assert '<time datetime="2026-11-23T13:05:00.000Z">2026-11-23 14:05 CET</time>' in page
    assert "1 h 15 min" in page
    assert page.index("Fixed.") < page.index("Investigating.")
    assert "localtime.js" in page


def test_history_is_browsed_by_month_and_filterable(client, ctx):
    api = create_component(slug="api", name="API")
    create_component(slug="cdn", name="CDN")
    now = utcnow()
    for n in range(8):  # one incident in each of eight months, the newest this month
        create_incident(
            title=f"Incident number {n:02d}",
            state="resolved",
            components=[api] if n % 2 else [],
            started_minutes_ago=int((now - _months_back(now, n)).total_seconds() // 60),
        )
    publish_site()
    first = html(client, "/history")
    assert all(f"Incident number {n:02d}" in first for n in range(3))  # the recent months
    assert "Incident number 07" not in first
    oldest = _months_back(now, 7)
    link = f'href="/history/{oldest.year}/{oldest.month}"'
    assert link in first and f"{oldest:%B %Y}</a>" in first  # every month is linked
    month = html(client, f"/history/{oldest.year}/{oldest.month}")
    assert "Incident number 07" in month and "Incident number 06" not in month
    padded = client.get(f"/history/{oldest.year}/{oldest.month:02d}")
    assert padded.get_data(as_text=True) == month
    assert client.get("/history/1999/1").status_code == 404
    assert client.get("/history/2026/13").status_code == 404
    mine = html(client, "/components/api/history")
    assert "Incident number 01" in mine and "Incident number 02" not in mine
    redirect = client.get("/history?component=api")
    assert redirect.status_code == 302
    assert redirect.headers["Location"].endswith("/components/api/history")


def _months_back(now, n):
    """Noon on the 10th, ``n`` months before ``now``'s month (this month: a day ago at most)."""
    year, month = divmod(now.year * 12 + now.month - 1 - n, 12)
    when = datetime(year, month + 1, 10, 12, tzinfo=UTC)
    return min(when, now - timedelta(minutes=5)) if n == 0 else when


def test_old_numbered_history_pages_redirect_to_the_months(client, ctx):
    create_component(slug="api", name="API")
    publish_site()
    old = client.get("/history/2")
    assert old.status_code == 301 and old.headers["Location"].endswith("/history")
    old = client.get("/components/api/history/3")
    assert old.status_code == 301 and old.headers["Location"].endswith("/components/api/history")


def test_unknown_incident_is_404(client, ctx):
    publish_site()
    assert client.get("/incidents/nosuchthing0").status_code == 404


def test_component_shown_only_when_degraded_hides_while_operational(client, ctx):
    create_component(slug="api", name="API")
    quiet = create_component(slug="legacy", name="Legacy FTP")
    quiet.only_show_if_degraded = True
    db.session.commit()
    publish_site()
    assert "Legacy FTP" not in html(client, "/")
    quiet.status = ComponentStatus.partial_outage
    db.session.commit()
    publish_site()
    assert "Legacy FTP" in html(client, "/")
