"""The settings that turn an alert into a component status, who is on duty, and the public
words for what an alert opens (the components' public names, never the alert's text)."""

from flask import current_app

from app.extensions import db
from app.messages.prefill import join_names
from app.models import ApiKey, Component, ComponentStatus, Incident, Role, User

# From least to most severe: the worst status among a component's firing alerts wins.
_ORDER = [
    ComponentStatus.operational,
    ComponentStatus.under_maintenance,
    ComponentStatus.degraded_performance,
    ComponentStatus.partial_outage,
    ComponentStatus.major_outage,
]
CRITICAL = "critical"


def component_label() -> str:
    return current_app.config["ALERT_COMPONENT_LABEL"]


def severity_of(labels: dict[str, str]) -> str:
    """The alert's severity label (lower case), empty if it has none."""
    return labels.get(current_app.config["ALERT_SEVERITY_LABEL"], "").strip().lower()[:40]


def status_for(severity: str) -> ComponentStatus:
    """The component status a severity sets (the configured table, else the default)."""
    table = current_app.config["ALERT_SEVERITY_STATUSES"]
    return ComponentStatus(table.get(severity, current_app.config["ALERT_DEFAULT_STATUS"]))


def worst(statuses) -> ComponentStatus:
    return max(statuses, key=_ORDER.index, default=ComponentStatus.operational)


def public_names(components: list[Component]) -> str:
    """The components as the public may read them: "API and Checkout", hidden ones left out
    ("our services" when none is public)."""
    return join_names([c.name for c in components if c.is_public])


def incident_title(components: list[Component]) -> str:
    """The title of an incident alerts open (and of the declare form they prefill): what the
    public may read, whatever the alert's summary says."""
    title = f"Problems with {public_names(components)}"
    return title if len(title) <= 200 else "Problems with several services"


def on_duty(incident: Incident | None = None) -> list[User]:
    """Whom to tell: the incident's lead; without one, every active person with the lead role
    (admins if there is none). A key's backing user is never a person to email."""
    if incident is not None and incident.lead is not None and incident.lead.active:
        return [incident.lead]
    people = (
        db.select(User)
        .where(User.active.is_(True), User.id.not_in(db.select(ApiKey.user_id)))
        .order_by(User.id)
    )
    leads = list(db.session.scalars(people.where(User.role == Role.lead)))
    return leads or list(db.session.scalars(people.where(User.role == Role.admin)))
