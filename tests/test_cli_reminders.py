"""`flask reminders tick --now`: rehearse (or test) the tick at a shifted clock."""

from datetime import timedelta

from app.sqltypes import utcnow
from tests.factories import create_incident, create_user


def test_reminders_tick_at_a_given_now_sends_what_is_due_then(runner, ctx):
    lead = create_user(email="lead@example.com")
    due = utcnow() + timedelta(minutes=15)
    create_incident(title="Checkout errors", severity="SEV1", lead=lead, next_update_due_at=due)

    result = runner.invoke(args=["reminders", "tick"])
    assert "0 reminder(s) sent." in result.output  # the real clock: nothing due yet

    later = (due + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    result = runner.invoke(args=["reminders", "tick", "--now", later])
    assert result.exit_code == 0, result.output
    assert "sent lead reminder for SEV1 'Checkout errors'" in result.output


def test_reminders_tick_refuses_a_now_that_is_not_a_time(runner, ctx):
    result = runner.invoke(args=["reminders", "tick", "--now", "soon"])
    assert result.exit_code == 2
    assert "'soon' does not match the formats" in result.output
