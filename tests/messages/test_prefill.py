"""The prefilled texts say only what the page's facts support: "other services are working
normally" only while every public component outside the incident is operational."""

import pytest

from app.extensions import db
from app.messages.prefill import prefill, template_context
from app.messages.seed import seed_default_templates
from app.models import ComponentStatus, Incident, IncidentKind, Severity
from tests.factories import create_component, create_incident

NORMAL = "Other services are working normally."


@pytest.fixture
def page(ctx):
    seed_default_templates()
    db.session.commit()
    return {
        "api": create_component(slug="api", name="API", position=0),
        "web": create_component(slug="web", name="Web", position=1),
        "db": create_component(slug="db", name="Database", position=2, is_public=False),
    }


def _declare_on(component, *, title="Errors"):
    return create_incident(title=title, components=[component], severity=Severity.SEV2)


def _external(incident, state="investigating"):
    return prefill(incident, state=state)["external"][1]


def test_no_claim_of_normal_service_while_another_incident_degrades_web(page):
    page["web"].status = ComponentStatus.degraded_performance
    _declare_on(page["web"], title="Slow pages")
    incident = _declare_on(page["api"])
    body = _external(incident)
    assert "**API**" in body
    assert NORMAL not in body
    assert template_context(incident, state="investigating")["also_affected"] == "Web"


def test_with_everything_else_operational_the_text_says_so(page):
    page["api"].status = ComponentStatus.major_outage  # this incident's own doing
    incident = _declare_on(page["api"])
    assert NORMAL in _external(incident)
    assert template_context(incident, state="investigating")["also_affected"] == ""


def test_hidden_components_neither_count_nor_show_in_the_external_text(page):
    page["db"].status = ComponentStatus.partial_outage
    incident = _declare_on(page["api"])
    assert NORMAL in _external(incident)
    external = template_context(incident, state="investigating", audience="external")
    internal = template_context(incident, state="investigating", audience="internal")
    assert external["also_affected"] == "" and internal["also_affected"] == "Database"


def test_a_draft_counts_the_components_chosen_in_the_form(page):
    """The declare form's draft: the components chosen (objects or names) are the affected ones."""
    page["web"].status = ComponentStatus.under_maintenance
    draft = Incident(title="Errors", kind=IncidentKind.incident, severity=Severity.SEV2)
    assert NORMAL in prefill(draft, state="investigating", components=["Web"])["external"][1]
    body = prefill(draft, state="investigating", components=[page["api"]])["external"][1]
    assert NORMAL not in body
    db.session.expunge_all()
