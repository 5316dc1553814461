"""The Comms Lead's incident pages: declare, post updates, preview, resolve, postmortem."""

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.common import (
    component_rows,
    incident_or_404,
    move_form,
    people_choices,
    texts_form,
)
from app.admin.fanout_forms import RetryForm
from app.admin.forms import (
    EditIncidentForm,
    IncidentForm,
    PostmortemForm,
    ResolveForm,
    SnoozeForm,
    UpdateForm,
    component_statuses,
    options,
    show_error,
    to_local_input,
    to_utc,
)
from app.admin.texts import (
    declare_form_facts,
    due_hint,
    fingerprint,
    text_hash,
    update_form_facts,
    written_for,
)
from app.audiences.seen_by import seen_by_form
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.audit import audit_events
from app.core.uow import unit_of_work
from app.fanout.dispatch import dispatches_for_incident
from app.incidents import lifecycle as incidents_service
from app.incidents.holds import kept_on_resolve, shown_components
from app.incidents.lifecycle import recent_incidents
from app.incidents.moments import moments_of
from app.incidents.timeline import timeline_markdown
from app.incidents.transitions import update_states
from app.incidents.updates import post_update as post_update_service
from app.messages.prefill import incident_url
from app.models import Role, State
from app.reminders.measures import incident_spans
from app.reminders.metrics import comms_for
from app.reminders.tick import snooze_incident as snooze_service
from app.sqltypes import utcnow


@bp.route("/incidents")
def list_incidents():
    """Open and recently closed incidents and maintenance."""
    return render_template(
        "admin/incidents/list.html",
        open_incidents=incidents_service.open_incidents(),
        closed=recent_incidents(limit=50),
    )


@bp.route("/incidents/<public_id>")
def show_incident(public_id):
    """One incident: its updates (both texts), components and audit trail."""
    incident = incident_or_404(public_id)
    snooze_form = SnoozeForm(until=to_local_input(incident.next_update_due_at))
    return render_template(
        "admin/incidents/show.html",
        incident=incident,
        public_url=incident_url(incident) if incident.is_public else None,
        events=audit_events(incident=incident, limit=50),
        comms=comms_for(incident),
        moments=moments_of(incident),
        seen=seen_by_form(incident=incident, component_ids=(), is_public=True),
        spans=incident_spans(incident) if incident.kind == "incident" else [],
        snooze_form=snooze_form,
        dispatches=dispatches_for_incident(incident),
        shown=shown_components(incident),
        now=utcnow(),
        retry_form=RetryForm(),
    )


@bp.route("/incidents/<public_id>/snooze", methods=["POST"])
@require_role(Role.lead)
def snooze_incident(public_id):
    """Push the next update's due time, with a reason (leads); the reminder follows."""
    incident = incident_or_404(public_id)
    form = SnoozeForm()
    try:
        if not form.validate():
            raise ServiceError("Give the new time as a date and time.", field="until")
        with unit_of_work():
            snooze_service(
                incident,
                until=to_utc(form.until.data),
                reason=form.reason.data,
                actor=current_user,
            )
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash("Reminder snoozed; the reason is in the audit log.", "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))


@bp.route("/incidents/new", methods=["GET", "POST"])
@require_role(Role.lead)
def declare_incident():
    """Declare an incident with its first update (leads)."""
    form = IncidentForm()
    people_choices(form)
    prefill = None
    if request.method == "GET":
        form.lead.data = str(current_user.id)
        # An alert's "declare?" link prefills the title and the components' statuses.
        form.title.data = request.args.get("title", "")[:200]
        prefill = request.args
    statuses = component_statuses(prefill)
    facts = declare_form_facts(form, prefill)
    page = {
        "form": form,
        "rows": component_rows(),
        "selected": statuses,
        "default_due": facts.default_due,
    }
    return texts_form(
        "admin/incidents/declare.html",
        form,
        page,
        facts,
        act=lambda draft: incidents_service.declare_incident(
            draft,
            title=form.title.data,
            actor=current_user,
            severity=form.severity.data,
            state=form.state.data,
            impact=form.impact.data or None,
            lead_id=form.lead.data,
            commander_id=form.commander.data or None,
            cadence_minutes=form.cadence_minutes.data,
            is_public=form.is_public.data,
            public_id=form.public_id.data,
        ),
        done=lambda incident: f"Declared “{incident.title}”.",
        statuses=statuses,
    )


@bp.route("/incidents/<public_id>/updates/new", methods=["GET", "POST"])
@require_role(Role.lead)
def post_update(public_id):
    """Post an update, texts prefilled from the templates for the state (leads)."""
    incident = incident_or_404(public_id)
    form = UpdateForm()
    first = request.method == "GET"
    _state_choices(form, incident, request.args.get("state") if first else None, first=first)
    statuses = component_statuses()
    facts = update_form_facts(incident, form)
    page = {
        "form": form,
        "incident": incident,
        "rows": component_rows(incident),
        "default_due": facts.default_due,
        "selected": statuses,
    }
    return texts_form(
        "admin/incidents/update.html",
        form,
        page,
        facts,
        act=lambda draft: post_update_service(
            incident,
            draft,
            state=form.state.data,
            actor=current_user,
            cadence_minutes=form.cadence_minutes.data,
        ),
        done="Update posted.",
        incident=incident,
        statuses=statuses,
    )


def _state_choices(form, incident, wanted, *, first=False) -> None:
    """The states an update may move ``incident`` to; on a first render, ``wanted`` or the
    incident's own."""
    allowed = [s.value for s in update_states(incident.kind)]
    form.state.choices = options((s, s.replace("_", " ")) for s in allowed)
    if first:
        wanted = wanted or incident.state
        form.state.data = wanted if wanted in allowed else allowed[0]


# The forms that post one update on the incident as it stands: the form, the state its texts
# are for, the verb, and what the lead is told.
_CLOSINGS = {
    "resolve": (
        ResolveForm,
        State.resolved,
        incidents_service.resolve_incident,
        "Incident resolved.",
    ),
    "postmortem": (
        PostmortemForm,
        State.postmortem,
        incidents_service.post_postmortem,
        "Postmortem posted.",
    ),
}


def _close(public_id, action):
    form_class, state, verb, done = _CLOSINGS[action]
    form = form_class()
    # Only resolving asks whether the affected components go back to operational.
    restore = getattr(form, "restore_components", None)
    options = {} if restore is None else {"restore_components": restore.data}
    page = {"kept": kept_on_resolve(incident_or_404(public_id))} if restore is not None else {}
    return move_form(
        public_id,
        form,
        f"admin/incidents/{action}.html",
        state,
        act=lambda incident, draft: verb(incident, draft, actor=current_user, **options),
        done=done,
        link=(form.postmortem_url.data or "") if hasattr(form, "postmortem_url") else None,
        **page,
    )


@bp.route("/incidents/<public_id>/resolve", methods=["GET", "POST"])
@require_role(Role.lead)
def resolve_incident(public_id):
    """Resolve with a final update from the resolved templates (leads)."""
    return _close(public_id, "resolve")


@bp.route("/incidents/<public_id>/edit", methods=["GET", "POST"])
@require_role(Role.lead)
def edit_incident(public_id):
    """Change an open incident's title, severity, impact or people (leads)."""
    incident = incident_or_404(public_id)
    form = EditIncidentForm(obj=incident if request.method == "GET" else None)
    people_choices(form)
    page = {"form": form, "incident": incident}
    if request.method == "GET":
        form.lead.data = str(incident.lead_id or "")
        form.commander.data = str(incident.commander_id or "")
        return render_template("admin/incidents/edit.html", **page)
    if not form.validate():
        return render_template("admin/incidents/edit.html", **page), 422
    try:
        with unit_of_work():
            incidents_service.edit_incident(
                incident,
                actor=current_user,
                title=form.title.data,
                severity=form.severity.data,
                impact=form.impact.data,
                lead_id=form.lead.data or None,
                commander_id=form.commander.data or None,
                cadence_minutes=form.cadence_minutes.data,
            )
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/incidents/edit.html", **page), 422
    flash("Incident saved.", "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))


@bp.route("/incidents/<public_id>/postmortem", methods=["GET", "POST"])
@require_role(Role.lead)
def post_postmortem(public_id):
    """Add a postmortem update to a resolved incident (leads)."""
    return _close(public_id, "postmortem")


@bp.route("/incidents/<public_id>/timeline.md")
def export_timeline(public_id):
    """The incident's timeline as Markdown, for the postmortem."""
    incident = incident_or_404(public_id)
    return Response(
        timeline_markdown(incident),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'inline; filename="{incident.public_id}-timeline.md"'},
    )


@bp.route("/prefill")
@require_role(Role.lead)
def prefill_texts():
    """The texts the declare or update form would get from its current inputs (the query
    string carries the whole form), for the few lines of JS that keep them in step."""
    args = request.args
    public_id = args.get("incident")
    if public_id:
        incident = incident_or_404(public_id)
        form = UpdateForm(formdata=args, meta={"csrf": False})
        _state_choices(form, incident, None)
        facts = update_form_facts(incident, form, args)
    else:
        form = IncidentForm(formdata=args, meta={"csrf": False})
        facts = declare_form_facts(form, args)
    texts = facts.render()
    answer = {
        audience: {
            "subject": subject,
            "body": body,
            "for": fingerprint(facts.inputs),
            "hash": text_hash(body),
            "written_for": written_for(args.get(f"{audience}_for"), facts.inputs),
        }
        for audience, (subject, body) in texts.items()
    }
    answer["due_hint"] = due_hint(facts.default_due)  # the hint under "next update by"
    return jsonify(answer)
