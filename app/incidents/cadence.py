"""How often an incident owes an update, and how long before silence is escalated."""

from datetime import timedelta

from app.core import ServiceError
from app.models import Incident, Setting, State

DEFAULT_CADENCE_MINUTES = 30
CADENCE_LIMITS = (1, 24 * 60)  # an incident's override: one minute to one day
MIN_GRACE = timedelta(minutes=5)
SNOOZE_LIMIT_FACTOR = 4  # a snooze may push the due time at most this many cadences away


def policy_minutes(
    incident: Incident, settings: Setting | None, state: State | str | None = None
) -> int | None:
    """The incident's override, else the policy's minutes for its severity and ``state``
    (default: its own); None when that state has no cadence."""
    if incident.cadence_minutes:
        return incident.cadence_minutes
    if settings is None:
        return None
    return settings.cadence_for(incident.severity, state or incident.state)


def cadence_minutes(
    incident: Incident, settings: Setting | None, state: State | None = None
) -> int:
    """Minutes between updates for this incident (in ``state``, default its own): its
    override, else the policy, else 30."""
    return policy_minutes(incident, settings, state) or DEFAULT_CADENCE_MINUTES


def grace_period(incident: Incident, settings: Setting | None) -> timedelta:
    """How long after the due time the Incident Commander is told: half the cadence, >= 5 min."""
    return max(timedelta(minutes=cadence_minutes(incident, settings)) / 2, MIN_GRACE)


def clean_cadence(minutes) -> int | None:
    """An incident's cadence override: whole minutes within ``CADENCE_LIMITS``, None for none
    (the policy's), or a ServiceError naming the field."""
    if minutes in (None, ""):
        return None
    low, high = CADENCE_LIMITS
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise ServiceError(f"A cadence is {low} to {high} minutes.", field="cadence_minutes")
    return minutes
