"""How often an incident owes an update, and how long before silence is escalated."""

from datetime import timedelta

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
