"""What the console counts before sending is what the fan-out then reaches."""

import secrets

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.reach import incident_reach, reach
from app.fanout.stakeholders import create_group
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import Channel, HookSubscriber
from app.sqltypes import utcnow
from tests.factories import create_component, create_subscriber, create_user


def _hook(kind, components=()):
    sub = HookSubscriber(
        kind=kind,
        url=f"https://127.0.0.1:9/{secrets.token_hex(4)}",  # refused at once: private
        token_hash=secrets.token_hex(16),
        confirmed_at=utcnow(),
        components=list(components),
    )
    db.session.add(sub)
    db.session.commit()


def test_the_count_is_what_the_dispatch_then_sends(ctx, outbox):
    lead = create_user()
    api = create_component(slug="api", name="API")
    web = create_component(slug="web", name="Web", position=1)
    create_subscriber(email="api@example.net", components=[api])
    create_subscriber(email="web@example.net", components=[web])
    create_subscriber(email="all@example.net")
    create_subscriber(email="waiting@example.net", confirmed=False)
    _hook(Channel.webhook, [api])
    _hook(Channel.webhook, [web])
    _hook(Channel.slack)
    with unit_of_work():
        create_group(name="Support", emails="s1@example.com s2@example.com", min_severity="SEV3")
        create_group(name="Execs", emails="cto@example.com", min_severity="SEV1")

    counted = reach(severity="SEV2", component_ids=[api.id])
    assert counted.subscribers == {"email": 2, "webhook": 1, "slack": 1}
    assert counted.groups == [("Support", 2)] and counted.members == 2
    assert reach(severity="SEV5", component_ids=[api.id]).groups == []  # reaches no group
    assert reach(severity="SEV1", component_ids=[]).groups == [("Execs", 1), ("Support", 2)]

    with unit_of_work():
        incident = declare_incident(
            UpdateDraft(
                external_body="Looking.",
                internal_body="Paged.",
                component_statuses={api.public_id: "partial_outage"},
            ),
            title="API errors",
            actor=lead,
            severity="SEV2",
        )
    assert incident_reach(incident) == counted
    external = sorted(m["To"] for m in outbox if "Looking." in m.get_body().get_content())
    internal = sorted(m["To"] for m in outbox if "Paged." in m.get_body().get_content())
    assert len(external) == counted.subscribers["email"]
    assert len(internal) == counted.members
