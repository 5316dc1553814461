"""Every default template renders without an empty variable or dangling punctuation, with the
context of a freshly declared incident (or freshly scheduled window)."""

import re
from datetime import timedelta

from jinja2 import nodes

from app.core.uow import unit_of_work
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.incidents.maintenance import schedule_maintenance
from app.incidents.updates import default_next_update
from app.messages.checks import empty_variable_warnings
from app.messages.defaults import DEFAULT_TEMPLATES
from app.messages.prefill import template_context
from app.messages.sandbox import _env, render_text
from app.models import IncidentKind
from app.sqltypes import utcnow
from tests.factories import create_component, create_settings, create_user

# A gap where a value should be: " ,", " .", "** **", "()", ": ." …
_DANGLING = re.compile(r" [,.;:)]|\*\*\s*\*\*|\(\s*\)|:\s*[.,]|\s\.\s|^[,.;:]", re.M)


def _fresh(kind):
    lead = create_user(email=f"{kind}@example.com", name="Lena Lead", role="lead")
    api = create_component(slug=f"api-{kind}", name=f"API {kind}")
    if kind == IncidentKind.incident:
        with unit_of_work():
            return declare_incident(
                UpdateDraft(
                    external_body="Looking.", component_statuses={api.public_id: "major_outage"}
                ),
                title="Errors",
                actor=lead,
            )
    now = utcnow()
    with unit_of_work():
        return schedule_maintenance(
            title="Upgrade",
            scheduled_for=now + timedelta(hours=1),
            scheduled_until=now + timedelta(hours=2),
            actor=lead,
            components=[api.public_id],
        )


def _printed(source):
    """The variables a template prints (one only tested in an {% if %} may well be empty)."""
    tree = _env.parse(source)
    return {name.name for out in tree.find_all(nodes.Output) for name in out.find_all(nodes.Name)}


def test_every_default_template_renders_without_gaps(ctx):
    create_settings()
    for kind, table in DEFAULT_TEMPLATES.items():
        incident = _fresh(kind)
        for (state, audience), (subject, body) in table.items():
            due = default_next_update(incident, state, utcnow()) if incident.is_open else None
            context = template_context(
                incident,
                state=state,
                audience=audience,
                next_update_at=due,
                postmortem_url="https://example.com/postmortem",
            )
            for source in (subject, body):
                empty = [name for name in _printed(source) if not context[name].strip()]
                assert not empty, (kind, state, audience, empty)
                text = render_text(source, context)
                assert not _DANGLING.search(text), (kind, state, audience, text)
                assert not empty_variable_warnings(source, kind=kind, state=state)


def test_a_fresh_incident_has_a_url_its_impact_and_an_unassigned_commander(ctx):
    create_settings()
    incident = _fresh(IncidentKind.incident)
    context = template_context(incident, state="investigating", audience="internal")
    assert context["incident_url"].endswith(f"/incidents/{incident.public_id}")
    assert context["impact"] == "critical" and context["commander_name"] == "unassigned"
    assert context["resolved_at"] == ""  # open: the editor warns about using it
