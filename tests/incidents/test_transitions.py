"""The state table agrees with the vocabulary: each kind moves only among its own states, a
state with no update to post is a closed one, and the readers' lists come from it."""

from app.api.v1.incident_writes import INCIDENT_STATES, MAINTENANCE_STATES
from app.incidents.transitions import MOVES, opening_states, states, update_states
from app.models import CLOSED_STATES, IncidentKind, IncidentState, MaintenanceState

OWN_STATES = {IncidentKind.incident: IncidentState, IncidentKind.maintenance: MaintenanceState}


def test_each_kind_moves_only_among_its_own_states():
    for (kind, start), moves in MOVES.items():
        own = {s.value for s in OWN_STATES[kind]}
        assert start is None or start in own
        assert set(moves) <= own, (kind, start)


def test_a_state_that_takes_no_update_is_closed():
    for kind, own in OWN_STATES.items():
        for state in own:
            moves = MOVES.get((kind, state), {})
            takes_updates = any(move.by == "update" for move in moves.values())
            assert takes_updates == (state not in CLOSED_STATES), (kind, state)


def test_what_the_console_and_the_api_offer_comes_from_the_table():
    assert opening_states(IncidentKind.incident) == ["investigating", "identified", "monitoring"]
    assert opening_states(IncidentKind.maintenance) == ["scheduled"]
    assert update_states(IncidentKind.maintenance) == ["scheduled", "in_progress", "verifying"]
    assert list(INCIDENT_STATES) == states(IncidentKind.incident)
    assert list(MAINTENANCE_STATES) == ["scheduled", "in_progress", "verifying", "completed"]


def test_closing_moves_give_the_components_back_and_stop_the_reminders():
    for (kind, start), moves in MOVES.items():
        for to, move in moves.items():
            if to in CLOSED_STATES and not move.keeps_state:
                assert move.closes, (kind, start, to)
