"""All models, importable from one place."""

from app.models.alerts import AlertMode, AlertState, AlertStatus
from app.models.api_keys import ApiKey
from app.models.audiences import (
    AdmissionKind,
    AudienceAdmission,
    AudienceArtifact,
    AudienceKind,
    PageAudience,
    audience_components,
    audience_groups,
    incident_audiences,
)
from app.models.audit import AuditEvent
from app.models.component_changes import ComponentChange
from app.models.components import Component, ComponentGroup, ComponentStatusChange
from app.models.dispatch import DeliveryEvent, Dispatch
from app.models.enums import (
    CLOSED_STATES,
    Audience,
    Channel,
    ComponentStatus,
    DeliveryStatus,
    DispatchStatus,
    Impact,
    IncidentKind,
    IncidentState,
    MaintenanceState,
    ReminderLevel,
    Role,
    Severity,
    State,
)
from app.models.feed_tokens import FeedToken
from app.models.hooks import HookDelivery, HookSubscriber, hook_subscriber_components
from app.models.incidents import Incident, IncidentComponent, MaintenanceNotice, Update
from app.models.published import PublishDirty, PublishedArtifact, PublishFailure, PublishState
from app.models.reminders import Reminder
from app.models.reports import MonthlyReportGroup, MonthlyReportMail
from app.models.settings import Setting, default_cadence_policy
from app.models.subscribers import StakeholderGroup, Subscriber, subscriber_components
from app.models.templates import MessageTemplate
from app.models.users import User
from app.models.viewers import ViewerLink, ViewerOidcStart, ViewerSession
from app.models.worker import WorkerHeartbeat

__all__ = [
    "CLOSED_STATES",
    "AdmissionKind",
    "AlertMode",
    "AlertState",
    "AlertStatus",
    "ApiKey",
    "Audience",
    "AudienceAdmission",
    "AudienceArtifact",
    "AudienceKind",
    "AuditEvent",
    "Channel",
    "Component",
    "ComponentChange",
    "ComponentGroup",
    "ComponentStatus",
    "ComponentStatusChange",
    "DeliveryEvent",
    "DeliveryStatus",
    "Dispatch",
    "DispatchStatus",
    "FeedToken",
    "HookDelivery",
    "HookSubscriber",
    "Impact",
    "Incident",
    "IncidentComponent",
    "IncidentKind",
    "IncidentState",
    "MaintenanceNotice",
    "MaintenanceState",
    "MessageTemplate",
    "MonthlyReportGroup",
    "MonthlyReportMail",
    "PageAudience",
    "PublishDirty",
    "PublishFailure",
    "PublishState",
    "PublishedArtifact",
    "Reminder",
    "ReminderLevel",
    "Role",
    "Setting",
    "Severity",
    "StakeholderGroup",
    "State",
    "Subscriber",
    "Update",
    "User",
    "ViewerLink",
    "ViewerOidcStart",
    "ViewerSession",
    "WorkerHeartbeat",
    "audience_components",
    "audience_groups",
    "default_cadence_policy",
    "hook_subscriber_components",
    "incident_audiences",
    "subscriber_components",
]
