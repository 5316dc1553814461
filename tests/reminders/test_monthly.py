"""The monthly report by email: chosen by an admin (audited), sent on the 1st in the page's
timezone to each recipient of the group once, through the real SMTP server, even when two
workers tick at once or a worker dies holding a recipient."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.core.uow import unit_of_work
from app.extensions import db
from app.models import (
    AuditEvent,
    Component,
    ComponentStatusChange,
    Incident,
    IncidentComponent,
    MonthlyReportMail,
    Setting,
    StakeholderGroup,
)
from app.reminders.monthly import choose_monthly_group, monthly_tick

RECIPIENTS = ["ceo@example.com", "support-lead@example.com"]
# 1 December, 00:01 in New York (UTC-5): the 1st has begun there, five hours after UTC's.
FIRST = datetime(2026, 12, 1, 5, 1, tzinfo=UTC)


def _incident(api, severity, impact, *, detected, engaged, mitigated, resolved):
    after = lambda m: impact + timedelta(minutes=m)  # noqa: E731
    db.session.add(
        Incident(
            title="Golden",
            severity=severity,
            state="resolved",
            started_at=after(detected),
            impact_started_at=impact,
            detected_at=after(detected),
            engaged_at=after(engaged),
            mitigated_at=after(mitigated),
            resolved_at=after(resolved),
            components=[IncidentComponent(component=api, status="major_outage")],
        )
    )


@pytest.fixture
def chosen(smtp_app):
    db.session.add(Setting(page_name="Acme", timezone="America/New_York"))
    api = Component(slug="api", name="API", slo_target=99.9)
    api.created_at = datetime(2026, 10, 1, tzinfo=UTC)
    db.session.add(api)
    group = StakeholderGroup(name="Execs", emails=[*RECIPIENTS, " CEO@example.com "])
    db.session.add(group)
    # November: TTD 5 and 20 min, TTR 60 and 90 min; API down one hour of the month's 720.
    _incident(api, "SEV1", datetime(2026, 11, 2, 10, tzinfo=UTC), detected=5, engaged=7,
              mitigated=35, resolved=60)  # fmt: skip
    _incident(api, "SEV2", datetime(2026, 11, 9, 10, tzinfo=UTC), detected=20, engaged=25,
              mitigated=40, resolved=90)  # fmt: skip
    db.session.add_all([
        ComponentStatusChange(component=api, status="major_outage",
                              at=datetime(2026, 11, 2, 10, tzinfo=UTC)),
        ComponentStatusChange(component=api, status="operational",
                              at=datetime(2026, 11, 2, 11, tzinfo=UTC)),
    ])  # fmt: skip
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 15, tzinfo=UTC), tick=False), unit_of_work():
        choose_monthly_group(group.id)
    return group


def tick_at(when):
    with time_machine.travel(when, tick=False):
        return monthly_tick(now=when)


def test_last_months_report_goes_to_each_recipient_on_the_first_once(chosen, smtp_server):
    # The evening of 30 November in New York: not yet; and October's report is not owed to a
    # group chosen in November.
    assert tick_at(FIRST - timedelta(minutes=2)) == 0 and smtp_server.messages == []
    assert tick_at(FIRST) == 2
    assert sorted(to for to, _ in smtp_server.messages) == [[r] for r in RECIPIENTS]
    _, message = smtp_server.messages[0]
    assert message["Subject"] == "[Acme] Incident report for November 2026"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Incidents declared: 2" in text
    # TTD 5, 20 min: p50 5 min, p90 20 min; TTR 60, 90 min: p50 1 h 00 min, p90 1 h 30 min.
    assert "Time to detect: p50 5 min, p90 20 min (2 incidents" in text
    assert "Time to resolve: p50 1 h 00 min, p90 1 h 30 min" in text
    # One hour of 720 down: 99.861 %, against 99.9 % (a budget of 43.2 min, 138.9 % spent).
    assert "- API: 99.861 % (target 99.9 %, 138.9 % of the error budget spent)" in text
    link = "/admin/reports?period=month&on=2026-11-01"
    assert link in text
    assert f'href="http://status.example.test{link.replace("&", "&amp;")}"' in html
    assert "<td" in html and "99.861 %" in html
    # Later ticks, and a worker started afresh the next day, send nothing more.
    assert tick_at(FIRST + timedelta(minutes=1)) == 0
    assert tick_at(FIRST + timedelta(days=1)) == 0
    assert len(smtp_server.messages) == 2
    rows = db.session.scalars(db.select(MonthlyReportMail)).all()
    assert sorted((r.month, r.email, r.sent_at is not None) for r in rows) == [
        ("2026-11", email, True) for email in RECIPIENTS
    ]


def test_two_workers_ticking_at_once_send_one_email_per_recipient(chosen, smtp_app, smtp_server):
    smtp_server.delay = 0.2  # a slow relay: the two runs overlap while sending
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with smtp_app.app_context():
                barrier.wait(timeout=10)
                results.append(monthly_tick(now=FIRST))
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results) == 2
    assert sorted(to for to, _ in smtp_server.messages) == [[r] for r in RECIPIENTS]


def test_a_recipient_held_by_a_dead_worker_is_sent_once_its_lease_lapses(chosen, smtp_server):
    from app.reminders.monthly import LEASE

    held = MonthlyReportMail(group_id=chosen.id, month="2026-11", email=RECIPIENTS[0],
                             owner="dead:1:x", lease_until=FIRST + LEASE, attempts=1)  # fmt: skip
    db.session.add(held)
    db.session.commit()
    assert tick_at(FIRST) == 1  # the other recipient
    assert tick_at(FIRST + LEASE - timedelta(seconds=1)) == 0
    assert tick_at(FIRST + LEASE + timedelta(seconds=1)) == 1
    assert [to for to, _ in smtp_server.messages] == [[r] for r in reversed(RECIPIENTS)]


def test_choosing_the_group_is_audited_and_none_stops_the_emails(chosen, smtp_server):
    [event] = db.session.scalars(db.select(AuditEvent).filter_by(action="reports.monthly_email"))
    assert event.detail == {"before": [], "after": ["Execs"]}
    with unit_of_work():
        choose_monthly_group(None)
    assert tick_at(FIRST) == 0 and smtp_server.messages == []


def test_an_admin_chooses_the_group_on_the_reports_page(app, client):
    from app.models import MonthlyReportGroup
    from tests.conftest import csrf_token, login
    from tests.factories import PASSWORD, create_user

    with app.app_context():  # requests below each run in their own context, as in production
        group = StakeholderGroup(name="Execs", emails=RECIPIENTS)
        db.session.add(group)
        db.session.commit()
        group_id = group.id
        create_user(email="viewer@example.com", role="viewer")
        create_user(email="admin@example.com", role="admin")
    path = "/admin/reports/monthly-email"

    def choose(browser, value):
        token = csrf_token(browser, "/admin/reports")
        return browser.post(path, data={"group": value, "csrf_token": token})

    def chosen():
        with app.app_context():
            return db.session.scalars(db.select(MonthlyReportGroup.group_id)).all()

    viewer = app.test_client()
    login(viewer, "viewer@example.com", PASSWORD)
    assert 'name="group"' not in viewer.get("/admin/reports").text
    assert choose(viewer, str(group_id)).status_code == 403
    login(client, "admin@example.com", PASSWORD)
    page = client.get("/admin/reports").text
    assert 'name="group"' in page and ">Execs</option>" in page
    for bad in ("nope", "999999", "9" * 40):
        answer = choose(client, bad)
        assert answer.status_code == 422 and "Choose one of the stakeholder groups" in answer.text
    assert client.post(path, data={"group": str(group_id)}).status_code == 400  # no CSRF token
    assert choose(client, str(group_id)).status_code == 302
    assert chosen() == [group_id]
    assert (
        f'<option value="{group_id}" selected>Execs</option>' in client.get("/admin/reports").text
    )
    with app.app_context():
        [event] = db.session.scalars(
            db.select(AuditEvent).filter_by(action="reports.monthly_email")
        )
        assert event.detail == {"before": [], "after": ["Execs"]} and event.actor_id is not None
    assert choose(client, "").status_code == 302
    assert chosen() == []
