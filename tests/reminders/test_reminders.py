import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.models import AuditEvent, Reminder, Setting, Update
from app.reminders.tick import snooze_incident, tick
from tests.factories import create_incident, create_user

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def tick_at(minutes):
    with time_machine.travel(at(minutes), tick=False):
        return [r.level.value for r in tick()]


@pytest.fixture
def people(ctx):
    db.session.add(Setting(page_name="Acme", timezone="Europe/Berlin"))
    lead = create_user(email="lead@example.com", name="Lena Lead")
    commander = create_user(email="ic@example.com", name="Ivan Commander")
    return lead, commander


def declare(people, *, severity="SEV1", due_minutes=15, **fields):
    lead, commander = people
    with time_machine.travel(T0, tick=False):
        return create_incident(
            title=fields.pop("title", "Elevated API errors"),
            severity=severity,
            lead=lead,
            commander=commander,
            started_minutes_ago=0,
            updates=[("We are investigating.", "")],
            next_update_due_at=at(due_minutes),
            **fields,
        )


def post(incident, minutes, state="identified", next_due_minutes=None):
    """What posting an update does to the reminder window: a new due time."""
    db.session.add(
        Update(incident=incident, state=state, external_body="News.", posted_at=at(minutes))
    )
    incident.state = state
    incident.next_update_due_at = at(next_due_minutes) if next_due_minutes else None
    if state == "resolved":
        incident.resolved_at = at(minutes)
    db.session.commit()


def test_sev1_nudge_then_reminder_then_escalation_then_quiet(people, outbox):
    incident = declare(people)
    assert tick_at(5) == []  # due in 10 min: outside the 5 min warning lead time
    assert tick_at(10) == ["due_soon"]
    assert tick_at(12) == []
    assert tick_at(19) == ["lead"]
    assert tick_at(21) == []
    assert tick_at(23) == ["commander"]  # grace is half the 15 min cadence
    assert tick_at(30) == []
    subjects = [(m["To"], m["Subject"]) for m in outbox]
    assert subjects == [
        ("lead@example.com", "[Acme] Update due on SEV1 'Elevated API errors' — due in 5 min"),
        ("lead@example.com", "[Acme] Update due on SEV1 'Elevated API errors' — 4 min overdue"),
        ("ic@example.com",
         "[Acme] ESCALATION: Update due on SEV1 'Elevated API errors' — 8 min overdue"),
        ("lead@example.com",
         "[Acme] ESCALATION: Update due on SEV1 'Elevated API errors' — 8 min overdue"),
    ]  # fmt: skip
    body = outbox[1].get_content()
    assert "promised for 2026-11-23 15:15 CET" in body
    assert f"/admin/incidents/{incident.public_id}/updates/new" in body

    post(incident, 31, next_due_minutes=51)  # identified, SEV1: 20 min
    assert tick_at(32) == []
    assert tick_at(46) == ["due_soon"]
    post(incident, 48, state="resolved")
    assert tick_at(60) == [] and tick_at(120) == []


def test_a_tick_skipped_for_ten_minutes_sends_one_reminder(people, outbox):
    declare(people, severity="SEV2", due_minutes=30)  # grace 15 min
    assert tick_at(40) == ["lead"]
    assert tick_at(40) == [] and tick_at(41) == [] and tick_at(42) == []
    assert len(outbox) == 1


def test_two_ticks_at_once_send_one_reminder(people, app, outbox):
    incident = declare(people, severity="SEV2", due_minutes=30)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(len(tick(now=at(35))))
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [0, 1]
    rows = db.session.scalars(db.select(Reminder).filter_by(incident_id=incident.id)).all()
    assert len(rows) == 1 and rows[0].sent_at is not None
    assert len(outbox) == 1


def test_snooze_moves_the_window_and_is_logged(people, outbox):
    lead, _ = people
    incident = declare(people)
    with unit_of_work():
        snooze_incident(
            incident, until=at(45), reason="waiting on the DB vendor, next update 15:45",
            actor=lead, now=at(14),
        )  # fmt: skip
    assert tick_at(16) == [] and tick_at(30) == []
    assert tick_at(41) == ["due_soon"]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="incident.snoozed"))
    assert event.incident_id == incident.id and event.actor_id == lead.id
    assert event.detail["reason"] == "waiting on the DB vendor, next update 15:45"


@pytest.mark.parametrize(
    ("minutes", "reason", "message"),
    [
        (75, "vendor", "at most 1 h 00 min ahead"),  # SEV1 investigating: 4 x 15 min
        (30, "   ", "Say why"),
        (10, "vendor", "in the future"),
    ],
)
def test_snooze_is_limited_and_needs_a_reason(people, minutes, reason, message):
    incident = declare(people)
    with pytest.raises(ServiceError, match=message), unit_of_work():
        snooze_incident(incident, until=at(minutes), reason=reason, now=at(14))
    db.session.rollback()
    assert db.session.get(type(incident), incident.id).next_update_due_at == at(15)
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    paths: list = []

    def do_POST(self):
        _Hook.paths.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            _Hook.received.append(json.loads(self.rfile.read(length)))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/internal")
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST  # what a client that follows the redirect asks for

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    """A real Slack-compatible webhook on 127.0.0.1."""
    _Hook.received, _Hook.paths = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _page_webhook(url, *, allow_private):
    settings = db.session.scalar(db.select(Setting))
    settings.slack_webhook_url, settings.allow_private_outbound = url, allow_private
    db.session.commit()


def test_reminder_webhooks_on_a_private_address_are_refused_by_default(people, hook_server):
    _page_webhook(f"{hook_server}/hook", allow_private=False)
    declare(people)
    assert tick_at(19) == ["lead"]  # the email still goes
    assert _Hook.paths == []


def test_a_reminder_webhook_redirect_is_not_followed(people, hook_server):
    _page_webhook(f"{hook_server}/moved", allow_private=True)
    declare(people)
    assert tick_at(19) == ["lead"]
    assert _Hook.paths == ["/moved"]  # never /internal


def test_reminders_also_go_to_a_slack_compatible_webhook(people, hook_server):
    _page_webhook(f"{hook_server}/hook", allow_private=True)
    declare(people)
    assert tick_at(19) == ["lead"]
    assert len(_Hook.received) == 1
    assert _Hook.received[0]["text"].startswith(
        "[Acme] Update due on SEV1 'Elevated API errors' — 4 min overdue\n"
    )


def test_the_leads_own_slack_gets_a_block_kit_reminder(people, hook_server):
    lead, _ = people
    lead.slack_webhook_url = f"{hook_server}/lead"
    db.session.commit()
    _page_webhook(f"{hook_server}/page", allow_private=True)  # the lead's own one wins
    declare(people, title="API <errors> & more")
    assert tick_at(19) == ["lead"]
    assert _Hook.paths == ["/lead"]
    (payload,) = _Hook.received
    header, fields, section, actions = payload["blocks"]
    assert header["text"]["text"].startswith("[Acme] Update due on SEV1 'API <errors> & more'")
    facts = [f["text"] for f in fields["fields"]]
    assert facts[:2] == ["State: investigating", "Severity: SEV1"]
    assert facts[2].startswith("Next update due: ")
    assert section["text"]["text"].startswith("SEV1 API &lt;errors&gt; &amp; more")
    assert actions["elements"][0]["url"].endswith("/updates/new")
    assert payload["text"].startswith("[Acme] Update due on SEV1")


def test_cli_tick_prints_what_it_sent(people, runner):
    declare(people, severity="SEV2", due_minutes=30)
    with time_machine.travel(at(31), tick=False):
        result = runner.invoke(args=["reminders", "tick"])
    assert result.exit_code == 0, result.output
    assert "sent lead reminder for SEV2 'Elevated API errors'" in result.output
    assert "1 reminder(s) sent." in result.output
