"""What the dashboard offers to declare: the firing alerts on suggest-mode components that no
open incident covers yet, one line per component, with the declare form's prefill."""

from dataclasses import dataclass
from datetime import datetime

from app.alerts import rules
from app.extensions import db
from app.models import (
    CLOSED_STATES,
    AlertMode,
    AlertState,
    AlertStatus,
    Component,
    Incident,
    IncidentComponent,
)


@dataclass
class Suggestion:
    component: Component
    since: datetime
    title: str
    status: str
    count: int

    @property
    def declare_args(self) -> dict[str, str]:
        """The declare form's query string: a public title naming the component (the alert's
        summary is for the lead, shown beside the link), and the component's status."""
        return {
            "title": rules.incident_title([self.component]),
            f"component-{self.component.public_id}": self.status,
        }


def firing_suggestions() -> list[Suggestion]:
    """One suggestion per component with firing alerts, the oldest alert first."""
    covered = (
        db.select(IncidentComponent.component_id)
        .join(Incident)
        .where(Incident.state.not_in([s.value for s in CLOSED_STATES]))
    )
    states = db.session.scalars(
        db.select(AlertState)
        .join(Component)
        .where(AlertState.status == AlertStatus.firing)
        .where(Component.alert_mode == AlertMode.suggest.value)
        .where(AlertState.component_id.not_in(covered))
        .order_by(AlertState.starts_at, AlertState.id)
    )
    by_component: dict[int, list[AlertState]] = {}
    for state in states:
        by_component.setdefault(state.component_id, []).append(state)
    suggestions = []
    for group in by_component.values():
        status = rules.worst(rules.status_for(s.severity) for s in group)
        first = group[0]
        suggestions.append(
            Suggestion(first.component, first.starts_at, first.summary, status.value, len(group))
        )
    return suggestions
