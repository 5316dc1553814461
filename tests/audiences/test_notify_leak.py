"""Leak scan over notifications: N audiences with disjoint private components and incidents;
every email the real SMTP server receives and every webhook and Slack body a real endpoint
receives is scanned for the names, ids and texts of the audiences it is not for."""

import pytest

from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.hooks import subscribe_slack, subscribe_webhook
from app.fanout.stakeholders import create_group
from app.fanout.subscribers import subscribe_viewer
from app.models import AdmissionKind, AudienceAdmission, AudienceKind, Component, PageAudience
from app.sqltypes import utcnow
from tests.factories import (
    create_component,
    create_incident,
    create_settings,
    create_subscriber,
    post_update,
)
from tests.servers import HookServer

N = 4  # audiences; the last is an internal one


@pytest.fixture
def rig(app, app_factory, smtp_server):
    """An app mailing the aiosmtpd server, with a local webhook/Slack endpoint it may reach."""
    server = HookServer().start()
    mail_app = app_factory(
        EMAIL_BACKEND="smtp",
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        HOOK_SUBSCRIBERS_ALLOW_PRIVATE=True,
        HOOK_BACKOFF_SECONDS=0.01,
    )
    with mail_app.app_context():
        create_settings(allow_private_outbound=True)
        yield smtp_server, server
    server.stop()


def _secrets(k: int, component, incident) -> set[str]:
    return {
        f"Vault_{k} private box",
        component.public_id,
        incident.public_id,
        f"Outage of vault_{k}",
        f"SECRET_EXTERNAL_{k}",
        f"SECRET_INTERNAL_{k}",
        f"Audience_{k}",
    }


def _world(hooks: HookServer):
    public = create_component(slug="api", name="API")
    secrets, incidents = {}, {}
    for k in range(N):
        component = create_component(slug=f"vault-{k}", name=f"Vault_{k} private box",
                                     is_public=False)  # fmt: skip
        audience = PageAudience(
            name=f"Audience_{k}",
            kind=AudienceKind.internal if k == N - 1 else AudienceKind.customer,
            components=[component],
            admissions=[AudienceAdmission(kind=AdmissionKind.domain, value=f"a{k}.example")],
        )
        db.session.add(audience)
        db.session.commit()
        incident = create_incident(title=f"Outage of vault_{k}", components=[component],
                                   severity="SEV1")  # fmt: skip
        secrets[k], incidents[k] = _secrets(k, component, incident), incident
        with unit_of_work():
            subscribe_viewer(f"viewer@a{k}.example")
            group = create_group(
                name=f"Desk {k}", emails=f"desk@a{k}.example", min_severity="SEV5",
                slack_webhook_url=f"{hooks.url}/services/T/B/desk{k}",
            )  # fmt: skip
            group.audience = audience
    with unit_of_work():
        create_group(name="Everyone", emails="all@staff.example", min_severity="SEV5")
        subscribe_viewer("nobody@elsewhere.example")  # a viewer in no audience: the floor
    # A public subscriber of a component an audience later took private: its name must not
    # reach them, not even in "why you get this email".
    vault0 = db.session.scalar(db.select(Component).filter_by(slug="vault-0"))
    create_subscriber(email="early@public.example", components=[public, vault0])
    with unit_of_work():
        subscribe_webhook(f"{hooks.url}/hook")
        slack = subscribe_slack(f"{hooks.url}/services/T/B/public")
        slack.confirmed_at = utcnow()  # as following its confirmation link does
    return public, secrets, incidents


def _owner(address: str) -> int | None:
    """The audience an address belongs to (None: public, or every audience's own staff)."""
    domain = address.rsplit("@", 1)[-1].lower()
    if domain.startswith("a") and domain.endswith(".example") and domain[1:-8].isdigit():
        return int(domain[1:-8])
    return None


def _text(message) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_no_notification_carries_another_audiences_names_ids_or_texts(rig):
    smtp, hooks = rig
    public, secrets, incidents = _world(hooks)
    hooks.hits.clear()
    post_update(create_incident(title="Public API errors", components=[public], severity="SEV1"),
                external="PUBLIC_EXTERNAL words.", internal="PUBLIC_INTERNAL words.")  # fmt: skip
    for k, incident in incidents.items():
        post_update(incident, external=f"SECRET_EXTERNAL_{k} words.",
                    internal=f"SECRET_INTERNAL_{k} words.")  # fmt: skip

    hits, told = [], {k: set() for k in range(N)}
    for recipients, message in smtp.messages:
        (address,) = recipients  # one recipient per message: nobody sees another's address
        owner, text = _owner(address), _text(message)
        if address == "all@staff.example":
            continue  # an untied stakeholder group: every incident's internal text, as before
        for k, words in secrets.items():
            found = [w for w in words if w in text]
            if k == owner:
                told[k].add(address) if found else None
            elif found:
                hits.append((address, k, found))
    for hit in hooks.hits:
        body = hit.raw.decode()
        owner = int(hit.path[-1]) if hit.path.startswith("/services/T/B/desk") else None
        for k, words in secrets.items():
            found = [w for w in words if w in body]
            if k == owner:
                told[k].add(hit.path) if found else None
            elif found:
                hits.append((hit.path, k, found))
    assert hits == []
    # Each audience's own people were told of its incident: viewer, desk's email and Slack.
    assert told == {
        k: {f"viewer@a{k}.example", f"desk@a{k}.example", f"/services/T/B/desk{k}"}
        for k in range(N)
    }
    # The public floor still reached everyone, internal text only to the stakeholders.
    floor = [(r, m) for r, m in smtp.messages if "PUBLIC_" in _text(m)]
    reached = {r[0] for r, _ in floor}
    everyone = {f"viewer@a{k}.example" for k in range(N)}
    assert everyone | {"nobody@elsewhere.example", "early@public.example"} <= reached
    for (address,), message in floor:
        assert ("PUBLIC_INTERNAL" in _text(message)) == address.startswith(("desk@", "all@"))
    assert {h.path for h in hooks.hits if b"PUBLIC_EXTERNAL" in h.raw} >= {
        "/hook",
        "/services/T/B/public",
    }
