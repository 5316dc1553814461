"""Helpers shared by the console's views: lookups, prefill and preview of update texts."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.admin.forms import options, show_error
from app.core import ServiceError
from app.core.users import list_users
from app.incidents.components import all_components
from app.incidents.lifecycle import get_incident
from app.incidents.updates import default_next_update
from app.markdown import markdown_to_text, render_markdown
from app.messages.prefill import prefill
from app.models import Audience, Incident, IncidentKind, Severity
from app.sqltypes import utcnow


def incident_or_404(public_id: str) -> Incident:
    """The incident with this public id, or a 404 page."""
    incident = get_incident(public_id)
    if incident is None:
        abort(404, description="There is no such incident.")
    return incident


def people_choices(form) -> None:
    """Fill the lead and commander selects with the people who may hold those roles."""
    people = [(u.id, u.name) for u in list_users(min_role="lead")]
    if hasattr(form, "lead"):
        form.lead.choices = options(people)
    if hasattr(form, "commander"):
        form.commander.choices = options([("", "Nobody yet"), *people])


def selected_names(statuses: dict[str, str]) -> list[str]:
    """Names of the components given a status in the form, in page order."""
    chosen = {pid for pid, status in statuses.items() if status}
    return [c.name for c in all_components() if c.public_id in chosen]


def draft_incident(*, title="", severity="SEV3", lead=None, commander=None) -> Incident:
    """An unsaved incident, so templates can be rendered before it is declared."""
    if severity not in [s.value for s in Severity]:
        severity = "SEV3"
    return Incident(
        title=title or "(title)",
        kind=IncidentKind.incident,
        severity=Severity(severity),
        lead=lead,
        commander=commander,
    )


def default_due(incident: Incident, state: str):
    """When the next update is due if the lead promises nothing: the snoozed time while a
    snooze holds (so the text can say it), else now + the cadence."""
    now = utcnow()
    if incident.snoozed_until and incident.snoozed_until > now:
        return incident.snoozed_until
    try:
        return default_next_update(incident, state, now)
    except ValueError:  # an unknown state has no cadence
        return None


def texts_for(incident: Incident, state: str, *, components=None, next_update_at=None) -> dict:
    """Rendered template texts for ``state``, with the default next update time."""
    if next_update_at is None:
        next_update_at = default_due(incident, state)
    try:
        return prefill(incident, state=state, next_update_at=next_update_at, components=components)
    except ValueError:  # an unknown state: nothing to prefill
        return {a.value: ("", "") for a in Audience}


def fill_texts(form, texts: dict) -> None:
    """Replace the form's two text areas with the rendered templates."""
    form.external_body.data = texts["external"][1]
    form.internal_body.data = texts["internal"][1]


def preview(form, texts: dict) -> dict:
    """The public entry and both emails, as they would look if posted now."""
    external, internal = form.external_body.data or "", form.internal_body.data or ""
    return {
        "public_html": render_markdown(external) if external.strip() else None,
        "emails": [
            {
                "audience": audience,
                "subject": texts[audience][0],
                "html": render_markdown(body),
                "text": markdown_to_text(body),
            }
            for audience, body in (("external", external), ("internal", internal))
            if body.strip()
        ],
    }


def component_rows(incident: Incident | None = None) -> list:
    """[(component, its status in this incident or None)] for the status selects."""
    linked = {link.component_id: link.status for link in incident.components} if incident else {}
    return [(c, linked.get(c.id)) for c in all_components()]


def texts_form(template: str, form, page: dict, texts: dict, *, act, done: str, incident):
    """The flow every form with an external and an internal text shares: prefill on GET,
    a 422 with the form on bad input, an optional preview, then ``act()`` and a redirect."""
    if request.method == "GET":
        fill_texts(form, texts)
        return render_template(template, **page)
    if not form.validate():
        return render_template(template, **page), 422
    if getattr(form, "preview", None) is not None and form.preview.data:
        return render_template(template, preview=preview(form, texts), **page)
    try:
        act()
    except ServiceError as exc:
        show_error(form, exc)
        return render_template(template, **page), 422
    flash(done, "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))
