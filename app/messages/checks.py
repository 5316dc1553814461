"""Warnings for the template editor: variables that render empty for a template's kind and
state (they would leave a gap in the text, e.g. "Resolved at ." in an open incident)."""

from jinja2 import meta

from app.messages.sandbox import _env
from app.models import IncidentKind, State

_CLOSING = {State.resolved, State.postmortem, State.completed, State.cancelled}
_OPEN_WITH_CADENCE = {State.investigating, State.identified, State.monitoring}


def _empty_when(name: str, kind: IncidentKind, state: State) -> str | None:
    if name == "resolved_at" and state not in _CLOSING:
        return f"it is empty until the {kind} is closed"
    if name in ("scheduled_for", "scheduled_until") and kind == IncidentKind.incident:
        return "incidents have no schedule, so it is always empty"
    if name == "next_update_at" and state not in _OPEN_WITH_CADENCE:
        return f"no update is due in the {state.replace('_', ' ')} state"
    return None


def empty_variable_warnings(source: str, *, kind, state) -> list[str]:
    """One sentence per variable in ``source`` that can be empty (or meaningless) for a
    template of ``kind`` in ``state``; [] when the template does not parse or all is well."""
    try:
        kind, state = IncidentKind(kind), State(state)
        names = meta.find_undeclared_variables(_env.parse(source or ""))
    except Exception:  # the save's own checks report a template that does not parse
        return []
    warnings = []
    for name in sorted(names):
        why = _empty_when(name, kind, state)
        if why:
            state_words = state.replace("_", " ")
            warnings.append(f"{{{{ {name} }}}} for {kind}s in the {state_words} state: {why}.")
    return warnings
