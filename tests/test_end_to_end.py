"""The Comms Lead's services drive fan-out, publishing and reminders together."""

from datetime import timedelta

import time_machine

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.incidents.updates import post_update
from app.models import Role, StakeholderGroup
from app.reminders.tick import tick
from app.sqltypes import utcnow
from tests.factories import create_component, create_subscriber, create_user


def test_one_update_reaches_customers_colleagues_and_the_public_page(client, ctx, outbox):
    lead = create_user(email="lead@example.com", role=Role.lead)
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Web")
    create_subscriber(email="api-fan@example.net", components=[api])
    create_subscriber(email="web-fan@example.net", components=[web])
    db.session.add(StakeholderGroup(name="Support", emails=["support@example.com"],
                                    min_severity="SEV2"))  # fmt: skip
    db.session.commit()

    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(
                component_statuses={api.public_id: "partial_outage"},
                external_body="EXTERNAL_7 We are investigating API errors.",
                internal_body="INTERNAL_7 eu-west LB dropping connections.",
            ),
            title="API errors",
            severity="SEV2",
            actor=lead,
        )
    mail = {m["To"]: m for m in outbox}
    assert set(mail) == {"api-fan@example.net", "support@example.com"}
    customer = mail["api-fan@example.net"].get_body(("plain",)).get_content()
    colleague = mail["support@example.com"].get_body(("plain",)).get_content()
    assert "EXTERNAL_7" in customer and "INTERNAL_7" not in customer
    assert "INTERNAL_7" in colleague
    assert mail["api-fan@example.net"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = client.get("/").get_data(as_text=True)
    assert "EXTERNAL_7" in page and "INTERNAL_7" not in page
    assert "EXTERNAL_7" in client.get("/history.atom").get_data(as_text=True)

    # Silence past the due time earns one reminder; an update closes the window.
    due = incident.next_update_due_at
    assert tick(now=due + timedelta(minutes=1))[0].level == "lead"
    with unit_of_work():
        post_update(
            incident, UpdateDraft(external_body="Found it."), state="identified", actor=lead
        )
    assert tick(now=utcnow()) == []
    with time_machine.travel(utcnow() + timedelta(minutes=1), tick=False):
        assert tick() == []
