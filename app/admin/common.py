"""Helpers shared by the console's views: lookups, and the flow of the forms with texts."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.admin.forms import options, show_error, zone_label
from app.admin.texts import (
    accepted_keys,
    choose_promise,
    fill,
    form_draft,
    show_findings,
    sync,
    texts_of,
    untouched,
)
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.core.users import list_users
from app.fanout.emails import subject_line
from app.incidents.checking import TextRefused, fill_due_time
from app.incidents.components import all_components
from app.incidents.facts import Facts, closing_facts
from app.incidents.lifecycle import get_incident
from app.markdown import markdown_to_text, render_markdown
from app.models import Incident


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


def preview(form, texts: dict, facts: Facts) -> dict:
    """The public entry and both emails, as they would look if posted now (the subject as
    the email will carry it)."""
    filled = fill_due_time(texts_of(form), facts.next_update_at)
    external, internal = filled["external"], filled["internal"]
    return {
        "public_html": render_markdown(external) if external.strip() else None,
        "emails": [
            {
                "audience": audience,
                "subject": subject_line(
                    texts[audience][0], state=facts.state, title=facts.incident.title or ""
                ),
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


def move_form(public_id: str, form, template: str, state, *, act, done, link=None, **page):
    """The form of a move whose texts are rendered from the incident as it stands (resolve,
    postmortem, a window's start, completion or cancellation): ``texts_form`` with the facts
    of that move, ``act(incident, draft)``, a page with ``form``, ``incident`` and ``page``'s
    extras (``link``: the postmortem address its texts give)."""
    incident = incident_or_404(public_id)
    return texts_form(
        template,
        form,
        {"form": form, "incident": incident, **page},
        closing_facts(incident, state, postmortem_url=link),
        act=lambda draft: act(incident, draft),
        done=done,
        incident=incident,
    )


def texts_form(
    template: str, form, page: dict, facts: Facts, *, act, done, incident=None, statuses=None
):
    """The flow every form with an external and an internal text shares: prefill on GET;
    on POST, first re-render the texts the lead has not touched from the submitted inputs
    (a notice beside each edited text written for other inputs), then refill, a 422 with the
    form on bad input, a preview, or ``act(draft)`` and a redirect. ``draft``: the update the
    form describes (with ``statuses``, the component selects), its untouched texts marked
    prefilled, which the verb renders again from what it saves."""
    rendered = facts.render()
    zone_label(form)
    page = {**page, "notices": {}}
    if request.method == "GET":
        fill(form, facts, rendered)
        return render_template(template, **page)
    prefilled = untouched(form)
    asked = request.form.get("refill_text", "")
    refill = getattr(form, "refill", None) is not None and form.refill.data
    page["notices"] = sync(form, facts, rendered, force=[asked])
    if refill or asked:
        return render_template(template, **page)
    choice = request.form.get("promise", "")
    if choice:  # one of the two choices a promise finding offers
        form.promise_done = choose_promise(form, facts, choice)
        return render_template(template, **page)
    if not form.validate():
        return render_template(template, **page), 422
    if getattr(form, "preview", None) is not None and form.preview.data:
        show_findings(form, facts.findings(texts_of(form)), facts.next_update_at)
        return render_template(template, preview=preview(form, rendered, facts), **page)
    accepted = accepted_keys(request.form)
    try:
        with unit_of_work():
            result = act(
                form_draft(form, statuses=statuses, prefilled=prefilled, accepted=accepted)
            )
    except TextRefused as exc:
        show_findings(form, exc.findings, facts.next_update_at)
        return render_template(template, **page), 422
    except ServiceError as exc:
        show_error(form, exc)
        return render_template(template, **page), 422
    incident = incident or result
    flash(done(incident) if callable(done) else done, "info")
    return redirect(url_for("admin.show_incident", public_id=incident.public_id))
