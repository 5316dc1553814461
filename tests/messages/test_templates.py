import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.messages.prefill import prefill
from app.messages.sandbox import check_template, render_text
from app.messages.seed import seed_default_templates
from app.messages.templates import create_template, delete_template, edit_template
from app.models import Incident, IncidentKind, MessageTemplate, Severity, State, User
from tests.factories import create_component, create_user

GOOD = {
    "name": "Short",
    "kind": "incident",
    "state": "identified",
    "audience": "external",
    "subject": "{{ incident_title }}",
    "body": "We found the cause of **{{ affected_components }}** trouble.",
}


@pytest.fixture
def admin(ctx):
    return create_user(email="admin@example.com", role="admin")


def test_a_template_is_created_and_edited(admin):
    with unit_of_work():
        template = create_template(actor=admin, **GOOD)
    assert template.state == State.identified
    with unit_of_work():
        edit_template(template, actor=admin, **GOOD | {"body": "Still {{ state }}."})
    assert db.session.get(MessageTemplate, template.id).body == "Still {{ state }}."
    with unit_of_work():
        delete_template(template, actor=admin)
    assert db.session.scalar(db.select(db.func.count(MessageTemplate.id))) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello\n{% if incident_title %}\nno end", "Line 2: Unexpected end"),
        ("Line one\n{{ secret_key }}", "Line 2: unknown variable 'secret_key'"),
        ("{{ ''.__class__.__mro__ }}", "underscore"),
        ("{{ incident_title.__class__.__base__.__subclasses__() }}", "underscore"),
        ("{{ incident_title|attr('__class__') }}", "filter 'attr' is not allowed"),
        ("{{ incident_title.center(100000000) }}", "calling functions or methods is not"),
        ("{{ incident_title|center(100000000) }}", "filter 'center' is not allowed"),
        ("{% for a in page_name %}{% for b in page_name %}{% endfor %}{% endfor %}", "loops"),
        ("{% macro m() %}{% endmacro %}", "macros are not allowed"),
        ("{% include 'x' %}", "includes are not allowed"),
        ("{% set a = page_name ~ page_name %}{{ a }}", "set %} is not allowed"),
        ("{% with a = page_name %}{{ a }}{% endwith %}", "with %} is not allowed"),
        ("{{ config }}", "unknown variable 'config'"),
        ("{{ cycler.__init__.__globals__ }}", "unknown variable 'cycler'"),
        ("{{ 'x' * 10000000 }}", "too long"),
        ("{{ 9 ** 9 ** 9 }}", "powers"),
    ],
)
def test_unsafe_or_broken_templates_are_form_errors(admin, body, message):
    with pytest.raises(ServiceError, match=message) as caught, unit_of_work():
        create_template(actor=admin, **GOOD | {"body": body})
    assert caught.value.field == "body"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(MessageTemplate.id))) == 0


def test_a_state_must_fit_the_kind(admin):
    with pytest.raises(ServiceError) as caught, unit_of_work():
        create_template(actor=admin, **GOOD | {"kind": "maintenance", "state": "identified"})
    assert caught.value.field == "state"


def test_names_are_unique_per_kind_state_and_audience(admin):
    with unit_of_work():
        create_template(actor=admin, **GOOD)
    with pytest.raises(ServiceError, match="already") as caught, unit_of_work():
        create_template(actor=admin, **GOOD)
    assert caught.value.field == "name"


def test_every_default_template_passes_the_checks(ctx):
    seed_default_templates()
    for template in db.session.scalars(db.select(MessageTemplate)):
        check_template(template.subject)
        check_template(template.body)


def test_prefill_renders_both_audiences_for_the_state(ctx):
    seed_default_templates()
    lead = create_user(name="Lena Lead")
    create_component(slug="api", name="API")
    create_component(slug="search", name="Search")
    incident = Incident(
        title="Slow API", kind=IncidentKind.incident, severity=Severity.SEV2, lead=lead
    )
    texts = prefill(incident, state="identified", components=["API", "Search"])
    subject, body = texts["external"]
    assert subject == "Identified: Slow API"
    assert "**API and Search**" in body
    assert "[SEV2]" in texts["internal"][0] and "Lead: Lena Lead" in texts["internal"][1]
    db.session.expunge_all()


def test_a_broken_stored_template_renders_as_its_source(ctx):
    assert render_text("{{ nope.x }}", {}) == "{{ nope.x }}"


def test_users_are_not_reachable_from_templates(ctx):
    create_user()
    assert db.session.scalar(db.select(User.id))
    with pytest.raises(ServiceError):
        check_template("{{ lead_name.__self__ }}")


def test_the_sample_values_cover_every_documented_variable():
    from app.messages.sandbox import SAMPLE, VARIABLES

    assert SAMPLE.keys() == VARIABLES.keys()


def test_safe_filters_and_conditions_are_fine(ctx):
    check_template("{% if resolved_at %}{{ incident_title|upper|truncate(20) }}{% endif %}")
    assert render_text("{{ state|capitalize }}", {"state": "identified"}) == "Identified"


def test_deep_nesting_and_huge_templates_are_form_errors(ctx):
    with pytest.raises(ServiceError, match="nested too deeply"):
        check_template("{{ " + "(" * 3000 + "page_name" + ")" * 3000 + " }}")
    with pytest.raises(ServiceError, match="under 20000 characters"):
        check_template("x" * 20_001)


def test_template_name_subject_and_body_are_cleaned(admin):
    with unit_of_work():
        template = create_template(
            actor=admin,
            **GOOD
            | {
                "name": "Pasted\x1b[0m",
                "subject": "{{ incident_title }}\x07\r\n",
                "body": "Line one\x1b[31m\r\nline two\x00",
            },
        )
    assert template.name == "Pasted[0m"
    assert template.subject == "{{ incident_title }}"
    assert template.body == "Line one[31m\nline two"
