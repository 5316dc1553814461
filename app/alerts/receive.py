"""One Alertmanager notification, one transaction: each alert's state is recorded by fingerprint
(a repeat changes nothing); on an ``automatic`` component the status follows the worst firing
alert, a critical one opens an incident, and the status before the alerts comes back when they
resolve (the incident stays open: the lead is told to post the resolution). A moved status is
noted for publishing in the same transaction; the lead's notices go to the queue after the
commit: an email provider that stalls never holds Alertmanager's POST.

What an alert says (its name, summary, labels) is for the lead: an incident it opens is titled
and written by the page's templates with the components' public names, never with the alert's
words, so no alert's text can fail a text's checks and refuse the notification with it. One
alert group has at most one open incident: an alert of the group that fires again (a flap, or
another component) joins it.
"""

from collections import Counter
from dataclasses import dataclass, field

from app.alerts import rules
from app.alerts.notices import Notice, as_signal, restored_notice, suggest_notice
from app.alerts.payload import Alert, Notification
from app.core.audit import record
from app.core.uow import after_commit
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.holds import settle_component
from app.incidents.lifecycle import declare_incident, get_incident
from app.models import AlertMode, AlertState, AlertStatus, Component, User
from app.signals import alert_notices_ready, public_changed
from app.sqltypes import new_public_id, utcnow

INCIDENT_SEVERITY = "SEV2"  # what a critical alert opens


@dataclass
class Outcome:
    changed: int = 0
    unchanged: int = 0
    unknown_components: Counter = field(default_factory=Counter)
    moved: set = field(default_factory=set)  # public ids of components whose status changed
    declare: dict = field(default_factory=dict)  # component public id -> (status, state)
    notices: list[Notice] = field(default_factory=list)
    restored: list = field(default_factory=list)  # (component, state) whose status came back

    def as_json(self, errors: list[dict]) -> dict:
        return {
            "changed": self.changed,
            "unchanged": self.unchanged,
            "unknown_components": dict(self.unknown_components),
            "ignored": sum(self.unknown_components.values()) + len(errors),
            "errors": errors,
        }


def _firing_on(component: Component) -> list[AlertState]:
    return list(
        db.session.scalars(
            db.select(AlertState)
            .filter_by(component_id=component.id, status=AlertStatus.firing)
            .order_by(AlertState.starts_at, AlertState.id)
        )
    )


def _set_status(component: Component, actor: User, outcome: Outcome, status) -> None:
    before = component.status
    settle_component(component, status, at=utcnow())  # never better than an open incident
    if component.status != before:
        shown = component.status.value
        record("component.status", actor=actor, obj=component, detail={"status": shown})
        outcome.moved.add(component.public_id)


def _open_incident_of(alert: Alert, state: AlertState | None, others) -> str | None:
    """The public id of the open incident an alert of this episode already opened or joined:
    this alert's own (it flapped), another firing on its component, or one of its group's."""
    ids = [state.incident_public_id] if state is not None else []
    ids += [s.incident_public_id for s in others]
    ids += db.session.scalars(
        db.select(AlertState.incident_public_id)
        .filter_by(group_key=alert.group_key)
        .where(AlertState.incident_public_id.is_not(None))
        .order_by(AlertState.id.desc())
        .limit(20)
    )
    for public_id in dict.fromkeys(i for i in ids if i):
        incident = get_incident(public_id)
        if incident is not None and incident.is_open:
            return public_id
    return None


def _fire(alert: Alert, state: AlertState | None, component, actor, outcome: Outcome):
    others = [s for s in _firing_on(component) if s is not state]
    severity = rules.severity_of(alert.labels)
    joins = _open_incident_of(alert, state, others)
    if state is None:
        state = AlertState(fingerprint=alert.fingerprint)
        db.session.add(state)
    state.component = component
    state.status, state.severity = AlertStatus.firing, severity
    state.name, state.summary = alert.name[:200], alert.summary
    state.group_key, state.starts_at, state.ends_at = alert.group_key, alert.starts_at, None
    state.notified_at = state.incident_public_id = state.previous_status = None
    if component.alert_mode != AlertMode.automatic:
        return state
    state.previous_status = others[0].previous_status if others else component.status
    status = rules.worst([rules.status_for(s.severity) for s in [*others, state]])
    if joins is not None:
        state.incident_public_id = joins
    if severity == rules.CRITICAL and joins is None:
        outcome.declare[component.public_id] = (status, state)
    else:
        _set_status(component, actor, outcome, status)
    return state


def _resolve(alert: Alert, state: AlertState, actor, outcome: Outcome) -> None:
    state.status, state.ends_at = AlertStatus.resolved, alert.ends_at or utcnow()
    component = state.component
    if component.alert_mode != AlertMode.automatic:
        return
    still = [s for s in _firing_on(component) if s is not state]
    if still:
        _set_status(
            component, actor, outcome, rules.worst(rules.status_for(s.severity) for s in still)
        )
    elif state.previous_status is not None:
        _set_status(component, actor, outcome, state.previous_status)
        outcome.restored.append((component, state))


def _declare(outcome: Outcome, actor: User) -> None:
    """Open one incident for the group's critical alerts on automatic components; the
    incident's commit carries every change of this notification."""
    states = [state for _, state in outcome.declare.values()]
    public_id = new_public_id()
    for state in states:
        state.incident_public_id = public_id
    components = sorted((s.component for s in states), key=lambda c: (c.position, c.name))
    people = rules.on_duty()  # the incident's lead is a person, so reminders reach someone
    draft = UpdateDraft(
        # The fallback texts, if the page has no template: Crier's fixed words, no alert's and
        # no name (a text's check must never refuse a notification's alerts with it).
        external_body="We are investigating a problem.",
        internal_body="Opened by Alertmanager.",
        component_statuses={cid: status.value for cid, (status, _) in outcome.declare.items()},
        prefilled=("external", "internal"),  # the templates write both
    )
    declare_incident(
        draft,
        title=rules.incident_title(components),
        actor=actor,
        severity=INCIDENT_SEVERITY,  # opened in the state table's first state, investigating
        lead_id=people[0].id if people else None,
        public_id=public_id,
    )


def _suggest(notification: Notification, outcome: Outcome) -> None:
    """Tell the on-duty lead once per alert group about its suggest-mode alerts."""
    group = list(
        db.session.scalars(
            db.select(AlertState).filter_by(
                group_key=notification.group_key, status=AlertStatus.firing
            )
        )
    )
    waiting = [s for s in group if s.component.alert_mode != AlertMode.automatic]
    if waiting and not any(s.notified_at for s in waiting):
        now = utcnow()
        for state in waiting:
            state.notified_at = now
        outcome.notices.append(suggest_notice(waiting, rules.on_duty()))


def receive_alerts(notification: Notification, *, actor: User) -> Outcome:
    """Record a notification's alerts and act on them (opening an incident if they say so);
    the lead's notices are handed to the queue after the commit."""
    label = rules.component_label()
    outcome = Outcome()
    for alert in notification.alerts:
        slug = alert.labels.get(label, "")
        component = db.session.scalar(db.select(Component).filter_by(slug=slug)) if slug else None
        if component is None:
            outcome.unknown_components[slug[:80]] += 1
            continue
        state = db.session.scalar(db.select(AlertState).filter_by(fingerprint=alert.fingerprint))
        firing = state is not None and state.status == AlertStatus.firing
        if alert.firing == firing or (state is None and not alert.firing):
            outcome.unchanged += 1
            continue
        if alert.firing:
            _fire(alert, state, component, actor, outcome)
        else:
            _resolve(alert, state, actor, outcome)
        db.session.flush()
        outcome.changed += 1
    _suggest(notification, outcome)
    for component, state in outcome.restored:
        incident = get_incident(state.incident_public_id) if state.incident_public_id else None
        outcome.notices.append(restored_notice(component, state, rules.on_duty(incident)))
    if outcome.changed:
        record("alerts.receive", actor=actor, detail={"changed": outcome.changed})
    if outcome.declare:
        _declare(outcome, actor)
    if outcome.moved:
        public_changed.send(None, components=sorted(outcome.moved))
    if outcome.notices:
        after_commit(alert_notices_ready, notices=as_signal(outcome.notices))
    db.session.flush()
    return outcome
