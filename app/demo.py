"""A believable demo page: components, 90 days of history, incidents, templates, people."""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from app.extensions import db
from app.messages.seed import seed_default_templates
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    AudienceKind,
    Component,
    ComponentGroup,
    ComponentStatus,
    ComponentStatusChange,
    Impact,
    Incident,
    IncidentComponent,
    IncidentKind,
    PageAudience,
    Role,
    Setting,
    Severity,
    StakeholderGroup,
    State,
    Update,
    User,
)
from app.signals import public_changed
from app.sqltypes import utcnow

ADMIN_EMAIL = "admin@example.com"
# Demo viewers (``scripts/run`` prints them): one per audience; the sign-in link goes to the
# console email backend, so the worker prints it.
CUSTOMER_VIEWER = "buyer@enterprise.example"
STAFF_VIEWER = "staff@example.com"

GROUPS = {
    "Core platform": [
        ("api", "API", "REST and GraphQL endpoints"),
        ("dashboard", "Web dashboard", None),
        ("auth", "Authentication", "Sign-in, SSO and API keys"),
    ],
    "Data": [
        ("database", "Managed databases", None),
        ("storage", "Object storage", None),
        ("search", "Search", None),
    ],
    "Delivery": [
        ("webhooks", "Webhooks", None),
        ("email", "Email notifications", None),
        ("cdn", "CDN", "Static asset delivery"),
    ],
    "Regions": [
        ("eu-west", "EU West (Frankfurt)", None),
        ("us-east", "US East (Virginia)", None),
        ("ap-southeast", "AP Southeast (Singapore)", None),
    ],
}

PAST_TITLES = [
    "Elevated error rates on {c}",
    "Slow responses from {c}",
    "{c} unavailable for some customers",
    "Delayed processing in {c}",
    "Intermittent timeouts on {c}",
]

_OUTAGES = [
    (ComponentStatus.degraded_performance, Impact.minor),
    (ComponentStatus.partial_outage, Impact.major),
    (ComponentStatus.major_outage, Impact.critical),
]


@dataclass
class DemoResult:
    created: bool
    admin_email: str
    admin_password: str | None


def seed_demo(*, past_incidents: int = 8, now: datetime | None = None) -> DemoResult:
    """Create the demo page unless the page already has settings. Idempotent; flushes (the
    caller's unit of work commits)."""
    if db.session.scalar(db.select(Setting.id)) is not None:
        seed_default_templates()
        db.session.flush()
        return DemoResult(False, ADMIN_EMAIL, None)
    now = now or utcnow()
    rng = random.Random(20261123)  # the same demo every time
    db.session.add(
        Setting(
            page_name="Acme Cloud Status",
            public_url=current_app.config["PUBLIC_BASE_URL"],
            timezone="Europe/Berlin",
            support_url="https://support.example.com",
        )
    )
    password = secrets.token_urlsafe(12)
    _user(ADMIN_EMAIL, "Ada Admin", Role.admin, password)
    lead = _user("lead@example.com", "Lena Lead", Role.lead)
    commander = _user("ic@example.com", "Ivan Commander", Role.lead)
    _user("viewer@example.com", "Vic Viewer", Role.viewer)
    components = _components(now - timedelta(days=90))
    for i in range(past_incidents):
        _past_incident(rng, components, now, i, past_incidents, lead, commander)
    _maintenance(components, now, lead)
    _open_incident(components, now, lead, commander)
    _audiences(components, now, lead)
    db.session.add_all(
        [
            StakeholderGroup(
                name="Support team",
                emails=["support@example.com", "support-leads@example.com"],
                min_severity=Severity.SEV3,
            ),
            StakeholderGroup(
                name="Executives", emails=["cto@example.com"], min_severity=Severity.SEV1
            ),
        ]
    )
    seed_default_templates()
    public_changed.send(None, everything=True)  # the page shows the demo once published
    db.session.flush()
    return DemoResult(True, ADMIN_EMAIL, password)


def _user(email, name, role, password=None):
    user = User(email=email, name=name, role=role, timezone="Europe/Berlin")
    user.set_password(password or secrets.token_urlsafe(24))
    db.session.add(user)
    return user


def _components(since):
    components = []
    for gpos, (group_name, items) in enumerate(GROUPS.items()):
        group = ComponentGroup(name=group_name, position=gpos)
        db.session.add(group)
        for pos, (slug, name, description) in enumerate(items):
            component = Component(
                slug=slug, name=name, description=description, group=group, position=pos
            )
            db.session.add(component)
            db.session.add(
                ComponentStatusChange(
                    component=component, status=ComponentStatus.operational, at=since
                )
            )
            components.append(component)
    return components


def _incident(title, kind, state, started_at, **fields):
    incident = Incident(title=title, kind=kind, state=state, started_at=started_at, **fields)
    db.session.add(incident)
    return incident


def _post(incident, state, at, external, internal="", by=None):
    update = Update(
        incident=incident,
        state=state,
        external_body=external,
        internal_body=internal,
        posted_at=at,
        posted_by=by,
        notify=False,
    )
    db.session.add(update)
    return update


def _change(component, status, at):
    db.session.add(ComponentStatusChange(component=component, status=status, at=at))


def _past_incident(rng, components, now, i, total, lead, commander):
    component = rng.choice(components)
    component_status, impact = rng.choice(_OUTAGES)
    # Spread incidents over the last 88 days, oldest first, none in the last day.
    started = now - timedelta(days=88 - (86 * i // max(total, 1)), hours=rng.randint(0, 20))
    minutes = rng.choice([18, 35, 52, 75, 110, 190])
    resolved = started + timedelta(minutes=minutes)
    # The moments a real declaration records; impact start backdated as a lead would correct it.
    impact_started = started - timedelta(minutes=(7 * i) % 16)
    incident = _incident(
        rng.choice(PAST_TITLES).format(c=component.name),
        IncidentKind.incident,
        State.resolved,
        started,
        severity=rng.choice(list(Severity)[:4]),
        impact=impact,
        resolved_at=resolved,
        impact_started_at=impact_started,
        detected_at=started,
        engaged_at=started,
        mitigated_at=resolved,
        lead=lead,
        commander=commander,
    )
    db.session.add(
        IncidentComponent(incident=incident, component=component, status=component_status)
    )
    _post(
        incident,
        State.investigating,
        started,
        f"We are investigating problems with **{component.name}**.",
        "Paged on-call; looking at dashboards.",
        lead,
    )
    _post(
        incident,
        State.identified,
        started + timedelta(minutes=minutes // 3),
        "We have found the cause and are rolling out a fix.",
        "Bad config push; rolling back.",
        lead,
    )
    _post(
        incident,
        State.resolved,
        resolved,
        f"This incident is resolved. {component.name} was affected for {minutes} minutes. "
        "No data was lost.",
        "Rollback complete; postmortem to follow.",
        lead,
    )
    _change(component, component_status, started)
    _change(component, ComponentStatus.operational, resolved)


def _maintenance(components, now, lead):
    by_slug = {c.slug: c for c in components}
    start = (now - timedelta(days=20)).replace(hour=2, minute=0, second=0, microsecond=0)
    done = _incident(
        "Database engine upgrade",
        IncidentKind.maintenance,
        State.completed,
        start,
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=2),
        resolved_at=start + timedelta(minutes=95),
        lead=lead,
    )
    db.session.add(
        IncidentComponent(
            incident=done, component=by_slug["database"], status=ComponentStatus.under_maintenance
        )
    )
    _post(done, State.scheduled, start - timedelta(days=7), "We will upgrade the database engine.")
    _post(done, State.in_progress, start, "The upgrade is under way.")
    _post(done, State.completed, start + timedelta(minutes=95), "The upgrade is complete.")
    _change(by_slug["database"], ComponentStatus.under_maintenance, start)
    _change(by_slug["database"], ComponentStatus.operational, start + timedelta(minutes=95))

    upcoming = (now + timedelta(days=3)).replace(hour=3, minute=0, second=0, microsecond=0)
    planned = _incident(
        "CDN certificate rotation",
        IncidentKind.maintenance,
        State.scheduled,
        upcoming,
        scheduled_for=upcoming,
        scheduled_until=upcoming + timedelta(hours=1),
        lead=lead,
    )
    db.session.add(
        IncidentComponent(
            incident=planned, component=by_slug["cdn"], status=ComponentStatus.under_maintenance
        )
    )
    _post(planned, State.scheduled, now - timedelta(hours=5), "We will rotate CDN certificates.")


def _open_incident(components, now, lead, commander):
    api = next(c for c in components if c.slug == "api")
    started = now - timedelta(minutes=42)
    incident = _incident(
        "Elevated API error rates",
        IncidentKind.incident,
        State.identified,
        started,
        severity=Severity.SEV2,
        impact=Impact.major,
        impact_started_at=started - timedelta(minutes=6),
        detected_at=started,
        engaged_at=started,
        lead=lead,
        commander=commander,
        next_update_due_at=now + timedelta(minutes=8),
    )
    db.session.add(
        IncidentComponent(incident=incident, component=api, status=ComponentStatus.partial_outage)
    )
    _post(
        incident,
        State.investigating,
        started,
        "We are investigating elevated error rates on the **API**. The dashboard is not affected.",
        "5xx rate at 12% on api-gw in eu-west. Paged the platform team.",
        lead,
    )
    _post(
        incident,
        State.identified,
        now - timedelta(minutes=22),
        "We have found the cause, a faulty load balancer node, and are replacing it.",
        "LB node lb-eu-3 dropping connections; draining it now.",
        lead,
    )
    api.status = ComponentStatus.partial_outage
    _change(api, ComponentStatus.partial_outage, started)


def _hidden(components, group_name, slug, name, description, since):
    group = next(c.group for c in components if c.group.name == group_name)
    component = Component(
        slug=slug,
        name=name,
        description=description,
        group=group,
        position=len(GROUPS[group_name]),
        is_public=False,
    )
    db.session.add(component)
    _change(component, ComponentStatus.operational, since)
    return component


def _audiences(components, now, lead):
    """A customer audience and an internal one, each with a hidden component and an incident
    only they see; the public page stays as it is."""
    since = now - timedelta(days=90)
    dedicated = _hidden(
        components, "Data", "dedicated-eu", "Dedicated cluster EU", "Enterprise EU only", since
    )
    runners = _hidden(
        components, "Core platform", "build-runners", "Build runners", "Internal CI", since
    )
    db.session.add_all(
        [
            PageAudience(
                name="Enterprise EU",
                kind=AudienceKind.customer,
                components=[dedicated],
                admissions=[
                    AudienceAdmission(kind=AdmissionKind.email, value=CUSTOMER_VIEWER),
                    AudienceAdmission(kind=AdmissionKind.domain, value="enterprise.example"),
                ],
            ),
            PageAudience(
                name="Staff",
                kind=AudienceKind.internal,
                components=[runners],
                admissions=[AudienceAdmission(kind=AdmissionKind.domain, value="example.com")],
            ),
        ]
    )
    started = now - timedelta(minutes=70)
    slow = _incident(
        "Slow queries on the dedicated EU cluster",
        IncidentKind.incident,
        State.monitoring,
        started,
        severity=Severity.SEV3,
        impact=Impact.minor,
        impact_started_at=started - timedelta(minutes=4),
        detected_at=started,
        engaged_at=started,
        mitigated_at=now - timedelta(minutes=20),
        lead=lead,
        next_update_due_at=now + timedelta(minutes=25),
    )
    db.session.add(
        IncidentComponent(
            incident=slow, component=dedicated, status=ComponentStatus.degraded_performance
        )
    )
    _post(
        slow,
        State.investigating,
        started,
        "Queries on your **dedicated EU cluster** are slower than usual. We are investigating.",
        "Replica lag on dedicated-eu-2 after the storage resize.",
        lead,
    )
    _post(
        slow,
        State.monitoring,
        now - timedelta(minutes=20),
        "We moved the cluster to healthy storage; query times are back to normal. "
        "We are watching it.",
        "Failed over to dedicated-eu-1; resize postponed.",
        lead,
    )
    dedicated.status = ComponentStatus.degraded_performance
    _change(dedicated, ComponentStatus.degraded_performance, started)

    started = now - timedelta(minutes=15)
    queueing = _incident(
        "Build runners queueing",
        IncidentKind.incident,
        State.investigating,
        started,
        is_public=False,
        severity=Severity.SEV4,
        impact=Impact.minor,
        impact_started_at=started,
        detected_at=started,
        engaged_at=started,
        lead=lead,
        next_update_due_at=now + timedelta(minutes=15),
    )
    db.session.add(
        IncidentComponent(
            incident=queueing, component=runners, status=ComponentStatus.degraded_performance
        )
    )
    _post(
        queueing,
        State.investigating,
        started,
        "",
        "CI jobs wait 10+ minutes for a runner; the autoscaler is stuck. Deploys are slower.",
        lead,
    )
    runners.status = ComponentStatus.degraded_performance
    _change(runners, ComponentStatus.degraded_performance, started)
