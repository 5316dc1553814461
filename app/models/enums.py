"""The vocabulary of DESIGN.md as enums; the values are Statuspage's where one exists."""

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"
    lead = "lead"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class ComponentStatus(StrEnum):
    operational = "operational"
    degraded_performance = "degraded_performance"
    partial_outage = "partial_outage"
    major_outage = "major_outage"
    under_maintenance = "under_maintenance"


class IncidentKind(StrEnum):
    incident = "incident"
    maintenance = "maintenance"


class IncidentState(StrEnum):
    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"
    postmortem = "postmortem"


class MaintenanceState(StrEnum):
    scheduled = "scheduled"
    in_progress = "in_progress"
    verifying = "verifying"
    completed = "completed"
    cancelled = "cancelled"


class State(StrEnum):
    """Every state an incident or maintenance (and so an update) can be in."""

    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"
    postmortem = "postmortem"
    scheduled = "scheduled"
    in_progress = "in_progress"
    verifying = "verifying"
    completed = "completed"
    cancelled = "cancelled"


CLOSED_STATES = frozenset({State.resolved, State.postmortem, State.completed, State.cancelled})


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"
    SEV5 = "SEV5"

    @property
    def level(self) -> int:
        """1 for SEV1 (worst) to 5; a group with min severity SEV2 gets levels 1 and 2."""
        return int(self.value[3])


class Impact(StrEnum):
    none = "none"
    minor = "minor"
    major = "major"
    critical = "critical"


class Audience(StrEnum):
    external = "external"
    internal = "internal"


class Channel(StrEnum):
    email = "email"
    webhook = "webhook"
    slack = "slack"


class DispatchStatus(StrEnum):
    pending = "pending"
    running = "running"
    sent = "sent"
    failed = "failed"


class DeliveryStatus(StrEnum):
    """One recipient of a webhook or Slack dispatch."""

    pending = "pending"
    sent = "sent"
    failed = "failed"


class ReminderLevel(StrEnum):
    due_soon = "due_soon"
    lead = "lead"
    commander = "commander"
