"""The state table: which state may follow which, for an incident and for a maintenance window,
and what each move does besides posting its update: to the affected components, to the
incident's times (started_at, monitoring_at, resolved_at) and to the reminders. The verbs
(``updates.transition``), the console's state choices, /api/v1 and Alertmanager's incidents
read it; nothing else decides which move is allowed."""

from dataclasses import dataclass

from app.core import ServiceError
from app.models import ComponentStatus, Incident, IncidentKind, State

INCIDENT, MAINTENANCE = IncidentKind.incident, IncidentKind.maintenance
WRITE = "Write an external or an internal text (or both)."


@dataclass(frozen=True)
class Move:
    """One move into a state: the verb that makes it, and what it does besides adding its
    update. Unless ``keeps_state``, the incident takes the state, its snooze ends and its next
    update is due when the draft promises, else after the cadence (never, once closed)."""

    by: str  # the verb: declare, update (post_update), resolve, postmortem, schedule, start, …
    blank: str | None = None  # the refusal when both texts are blank; None: the templates write
    components: ComponentStatus | None = None  # what every affected component becomes
    starts: bool = False  # started_at: now (a window's start replaces its scheduled start)
    watches: bool = False  # monitoring_at: now, the first time only
    closes: bool = False  # resolved_at: now, and no update is due any more
    keeps_state: bool = False  # the incident stays as it is (a postmortem, a window's notice)


_FIRST = "Write the first update's external or internal text."
_DECLARE = {
    State.investigating: Move("declare", blank=_FIRST),
    State.identified: Move("declare", blank=_FIRST),
    State.monitoring: Move("declare", blank=_FIRST, watches=True),
}
_OPEN_INCIDENT = {
    State.investigating: Move("update", blank=WRITE),
    State.identified: Move("update", blank=WRITE),
    State.monitoring: Move("update", blank=WRITE, watches=True),
    State.resolved: Move(
        "resolve", blank=WRITE, components=ComponentStatus.operational, closes=True
    ),
}
_STARTED_WINDOW = {
    State.in_progress: Move("update", blank=WRITE),
    State.verifying: Move("update", blank=WRITE),
    State.completed: Move("complete", components=ComponentStatus.operational, closes=True),
    State.cancelled: Move("cancel", components=ComponentStatus.operational, closes=True),
}

# (kind, the state it is in; None: not opened yet) -> {the state it may move to: the move}.
MOVES: dict[tuple[IncidentKind, State | None], dict[State, Move]] = {
    (INCIDENT, None): _DECLARE,
    (INCIDENT, State.investigating): _OPEN_INCIDENT,
    (INCIDENT, State.identified): _OPEN_INCIDENT,
    (INCIDENT, State.monitoring): _OPEN_INCIDENT,
    (INCIDENT, State.resolved): {
        State.postmortem: Move(
            "postmortem", blank="Write the postmortem text or link.", keeps_state=True
        ),
    },
    (MAINTENANCE, None): {State.scheduled: Move("schedule")},
    (MAINTENANCE, State.scheduled): {
        State.scheduled: Move("update", blank=WRITE),
        State.in_progress: Move("start", components=ComponentStatus.under_maintenance, starts=True),
        State.cancelled: Move("cancel", closes=True),  # nothing was under maintenance yet
    },
    (MAINTENANCE, State.in_progress): _STARTED_WINDOW,
    (MAINTENANCE, State.verifying): _STARTED_WINDOW,
}
# A window's notice of a change (``maintenance.edit_maintenance``): an update, no move.
NOTICE = Move("edit", keeps_state=True)
_OPENERS = ("declare", "schedule")

# What a verb says when the table has no move of its own from where the incident is.
_NOT_A_WINDOW = "That is an incident, not a maintenance window."
_REFUSED = {
    ("resolve", INCIDENT): "This incident is already resolved.",
    ("resolve", MAINTENANCE): "Maintenance is completed, not resolved.",
    ("postmortem", INCIDENT): "A postmortem follows a resolved incident.",
    ("postmortem", MAINTENANCE): "A postmortem follows a resolved incident.",
    **{(verb, INCIDENT): _NOT_A_WINDOW for verb in ("start", "complete", "cancel")},
    **{
        (verb, MAINTENANCE): "This maintenance is {state}."
        for verb in ("start", "complete", "cancel")
    },
}


def _targets(kind: IncidentKind, *, opening: bool = False, by: str | None = None) -> list[State]:
    found = {
        to
        for (k, start), moves in MOVES.items()
        if k == kind and (start is None) == opening
        for to, move in moves.items()
        if by is None or move.by == by
    }
    return [s for s in State if s in found]


def opening_states(kind: IncidentKind) -> list[State]:
    """The states a new incident (or window) may open in, the usual one first."""
    return _targets(kind, opening=True)


def update_states(kind: IncidentKind) -> list[State]:
    """The states an update (``post_update``) may move an incident or window to."""
    return _targets(kind, by="update")


def states(kind: IncidentKind) -> list[State]:
    """Every state an incident or window may be moved to once open."""
    return _targets(kind)


def takes_updates(incident: Incident) -> bool:
    """Whether an update may be posted on ``incident`` where it is (it is open)."""
    return any(m.by == "update" for m in MOVES.get((incident.kind, incident.state), {}).values())


def find(kind: IncidentKind, state: State | str | None, to: State | str) -> Move | None:
    """The move from ``state`` (None: not opened yet) to ``to``, or None if there is none."""
    return MOVES.get((kind, state), {}).get(to)


def require(incident: Incident, to: State, *, by: str) -> Move:
    """The move the verb ``by`` makes from where ``incident`` is to ``to``, or a ServiceError
    saying why there is none."""
    move = find(incident.kind, None if by in _OPENERS else incident.state, to)
    if move is None or move.by != by:
        refused = _REFUSED.get((by, incident.kind), "This move is not allowed.")
        raise ServiceError(refused.format(state=str(incident.state).replace("_", " ")))
    return move


def require_open_window(incident: Incident) -> None:
    """A window that has not finished (one that may still be cancelled), or a ServiceError."""
    require(incident, State.cancelled, by="cancel")
