"""Hostile input over every console form: always a clear answer below 500, and a refused
submit writes nothing (row counts, the audit log included, are compared before and after)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import csrf_token
from tests.hostile.helpers import FORMS, field, submit, with_huge

SEVERITIES = ("SEV1", "SEV3", "SEV5")
STATES = ("investigating", "identified", "monitoring", "resolved")
WHEN = ("2030-01-01T10:00", "2031-06-30T23:59")
BODIES = ("We are looking into it.", "**Fixed**")


def _texts():
    return {
        "external_body": field(*BODIES),
        "internal_body": field(*BODIES),
        "notify": field("y"),
        "notify_stakeholders": field("y"),
        "preview": field("", "Preview"),
    }


# Each form: (URL, its fields as strategies), both given the ids of the world's objects.
SPECS = {
    "declare_incident": lambda w: (
        "/admin/incidents/new",
        {
            "title": field("Checkout down", "x" * 200),
            "severity": field(*SEVERITIES),
            "state": field(*STATES),
            "impact": field("", "minor", "critical"),
            "lead": field(w["admin"], w["other"]),
            "commander": field("", w["admin"]),
            "next_update_by": field(*WHEN),
            "is_public": field("y"),
            "cadence_minutes": field("30", "1440"),
            f"component-{w['component']}": field("major_outage", "operational", ""),
            "refill": field(""),
            **_texts(),
        },
    ),
    "post_update": lambda w: (
        f"/admin/incidents/{w['incident']}/updates/new",
        {
            "state": field(*STATES),
            "next_update_by": field(*WHEN),
            f"component-{w['component']}": field("operational", "partial_outage"),
            **_texts(),
        },
    ),
    "edit_incident": lambda w: (
        f"/admin/incidents/{w['incident']}/edit",
        {
            "title": field("Renamed"),
            "severity": field(*SEVERITIES),
            "impact": field("none", "major"),
            "lead": field(w["admin"], ""),
            "commander": field("", w["admin"], w["other"]),
        },
    ),
    "resolve_incident": lambda w: (
        f"/admin/incidents/{w['incident']}/resolve",
        {"restore_components": field("y"), **_texts()},
    ),
    "post_postmortem": lambda w: (f"/admin/incidents/{w['resolved']}/postmortem", _texts()),
    "snooze": lambda w: (
        f"/admin/incidents/{w['incident']}/snooze",
        {"until": field(*WHEN), "reason": field("Waiting on the vendor")},
    ),
    "schedule_maintenance": lambda w: (
        "/admin/maintenance/new",
        {
            "title": field("Database upgrade"),
            "scheduled_for": field(*WHEN),
            "scheduled_until": field(*WHEN),
            "components": field(w["component"]),
            "auto_notify": field("y"),
            **_texts(),
        },
    ),
    "edit_maintenance": lambda w: (
        f"/admin/maintenance/{w['window']}/edit",
        {
            "title": field("Database upgrade"),
            "scheduled_for": field(*WHEN),
            "scheduled_until": field(*WHEN),
            "components": field(w["component"]),
            **_texts(),
        },
    ),
    "start_maintenance": lambda w: (f"/admin/maintenance/{w['window']}/start", _texts()),
    "create_component": lambda w: (
        "/admin/components/new",
        {
            "name": field("Web", "Search"),
            "slug": field("", "web"),
            "description": field("", "The website"),
            "group_id": field("", w["group"]),
            "is_public": field("y"),
        },
    ),
    "edit_component": lambda w: (
        f"/admin/components/{w['component']}/edit",
        {
            "name": field("API v2"),
            "slug": field("", "api"),
            "description": field(""),
            "group_id": field("", w["group"]),
            "is_public": field("y"),
        },
    ),
    "component_status": lambda w: (
        f"/admin/components/{w['component']}/status",
        {"status": field("major_outage", "operational")},
    ),
    "create_group": lambda w: ("/admin/groups/new", {"name": field("Edge")}),
    "rename_group": lambda w: (f"/admin/groups/{w['group']}/rename", {"name": field("Edge")}),
    "settings": lambda w: (
        "/admin/settings",
        {
            "page_name": field("Acme Status"),
            "public_url": field("https://status.example.com"),
            "timezone": field("UTC", "Europe/Berlin"),
            "support_url": field("", "https://example.com/help"),
            "brand_color": field("#123456"),
            "logo_url": field(""),
            "warning_lead_minutes": field("5", "120"),
            "slack_webhook_url": field(""),
            "cadence-SEV1-investigating": field("15", "1440"),
            "cadence-SEV9-nothing": field("15"),
        },
    ),
    "create_template": lambda w: (
        "/admin/templates/new",
        {
            "name": field("Custom"),
            "kind": field("incident", "maintenance"),
            "state": field(*STATES),
            "audience": field("external", "internal"),
            "subject": field("{{ incident.title }}"),
            "body": field("We are on it: {{ incident.title }}"),
            "preview": field(""),
        },
    ),
    "edit_template": lambda w: (
        f"/admin/templates/{w['template']}/edit",
        {
            "name": field("Default"),
            "kind": field("incident"),
            "state": field("investigating"),
            "audience": field("external"),
            "subject": field("{{ incident.title }}"),
            "body": field("Still on it."),
            "preview": field("", "Preview"),
        },
    ),
    "create_stakeholders": lambda w: (
        "/admin/stakeholders/new",
        {
            "name": field("Support"),
            "emails": field("a@example.com\nb@example.com"),
            "min_severity": field(*SEVERITIES),
        },
    ),
    "edit_stakeholders": lambda w: (
        f"/admin/stakeholders/{w['stakeholders']}",
        {"name": field("Execs"), "emails": field("ceo@example.com"), "min_severity": field("SEV1")},
    ),
    "create_user": lambda w: (
        "/admin/users/new",
        {
            "email": field("new@example.com"),
            "name": field("New Person"),
            "role": field("viewer", "lead", "admin"),
            "password": field("a long enough password"),
        },
    ),
    "change_user": lambda w: (
        f"/admin/users/{w['other']}",
        {"role": field("viewer", "lead"), "active": field("y")},
    ),
    "profile": lambda w: (
        "/admin/profile",
        {"timezone": field("UTC", "Asia/Tokyo"), "slack_webhook_url": field("")},
    ),
}


@pytest.mark.parametrize("name", sorted(SPECS))
@FORMS
@given(data=st.data())
def test_hostile_console_form(client, world, name, data):
    url, fields = SPECS[name](world)
    if "token" not in world:
        world["token"] = csrf_token(client, "/admin/settings")
    values = with_huge(data, data.draw(st.fixed_dictionaries(fields), label="fields"))
    values["csrf_token"] = data.draw(st.one_of(st.just(world["token"]), field()), label="csrf")
    submit(client, url, values, twice=data.draw(st.sampled_from([False] * 3 + [True])))
