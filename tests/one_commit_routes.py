"""The write routes of the console and /api/v1, each with one request that succeeds and one
that is refused, for tests/test_one_commit_per_request.py. ``World`` is the data they act on.

A refusal reaches the handler (a bad value, a name taken, a wrong state). Where a route takes
no input but its target, the refusal is an unknown id (404), marked "404: no input".
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from app.api.v1.page_access import user_id as page_access_user_id
from app.api.v1.shapes import subscriber_id
from app.audiences.admissions import AudienceDraft
from app.audiences.manage import create_audience
from app.audiences.tokens import issue_feed_token
from app.core.api_keys import create_api_key
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.stakeholders import create_group as create_stakeholder_group
from app.incidents import components, lifecycle, maintenance
from app.incidents.drafts import UpdateDraft
from app.messages.seed import seed_default_templates
from app.messages.templates import create_template
from app.models import Audience, Dispatch, DispatchStatus, ViewerSession, default_cadence_policy
from app.sqltypes import utcnow
from tests.factories import create_component, create_subscriber, create_user

V1 = "/api/v1/pages/crier"
UNKNOWN = "0" * 16  # a well-formed id that names nothing
RAW_HTML = "<script>alert(1)</script>"


class World:
    """What the routes act on: people, components, groups, incidents in each state, windows,
    keys, a stakeholder group, a template, dispatches and a subscriber; all committed."""

    def __init__(self):
        seed_default_templates()
        db.session.commit()
        self.admin = create_user(email="ada@example.com", name="Ada Admin", role="admin")
        self.viewer = create_user(email="vic@example.com", name="Vic Viewer", role="viewer")
        self.api = create_component(slug="api", name="API", position=0)
        self.web = create_component(slug="web", name="Web", position=1)
        self.docs = create_component(slug="docs", name="Docs", position=2)  # in nothing
        self.subscriber = create_subscriber(email="reader@example.com")
        with unit_of_work():
            self._build(self.admin)

    def _build(self, admin):
        self.backend = components.create_group(name="Backend", actor=admin)
        self.frontend = components.create_group(name="Frontend", actor=admin)
        self.enterprise = create_audience(
            AudienceDraft(
                name="Enterprise", component_ids=[self.docs.public_id],
                emails=["member@corp.example"],
            ),
            actor=admin,
        )  # fmt: skip
        self.viewer_session = ViewerSession(email="bo@example.com")
        db.session.add(self.viewer_session)
        self.feed_token, _raw = issue_feed_token("bo@enterprise.example", label="reader")
        self.incident = self._declare("Checkout failing", {self.api.public_id: "partial_outage"})
        self.resolved = self._declare("Slow search", {})
        lifecycle.resolve_incident(self.resolved, UpdateDraft(external_body="Fixed."), actor=admin)
        self.scheduled = self._window("Database upgrade")
        self.running = self._window("Cache flush")
        maintenance.start_maintenance(self.running, actor=admin)
        self.update = self.incident.updates[0]
        self.failed = Dispatch(
            update=self.update, audience=Audience.external, status=DispatchStatus.failed
        )
        self.sent = Dispatch(
            update=self.update, audience=Audience.internal, status=DispatchStatus.sent
        )
        db.session.add_all([self.failed, self.sent])
        _key, self.secret = create_api_key("ops", scope="admin", actor=admin)
        self.old_key, _secret = create_api_key("old deploy", scope="lead", actor=admin)
        self.execs = create_stakeholder_group(name="Execs", emails="ceo@example.com")
        self.template = create_template(actor=admin, **template_fields(name="Short"))

    def _declare(self, title, statuses):
        return lifecycle.declare_incident(
            UpdateDraft(
                component_statuses=statuses,
                external_body="We are looking.",
                notify=False,
                notify_stakeholders=False,
            ),
            title=title,
            actor=self.admin,
        )

    def _window(self, title):
        start = utcnow() + timedelta(days=1)
        return maintenance.schedule_maintenance(
            UpdateDraft(notify=False),
            title=title,
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=1),
            actor=self.admin,
            components=[self.web.public_id],
        )


def local(delta):
    """A datetime-local input ``delta`` from now (the page's timezone is UTC here)."""
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def template_fields(**fields):
    return {
        "name": "Terse",
        "kind": "incident",
        "state": "investigating",
        "audience": "external",
        "subject": "Investigating",
        "body": "We are looking.",
    } | fields


def window_fields(**fields):
    return {
        "title": "Search reindex",
        "scheduled_for": local(timedelta(days=2)),
        "scheduled_until": local(timedelta(days=2, hours=1)),
    } | fields


def settings_fields(**fields):
    cadence = {
        f"cadence-{severity}-{state}": str(minutes)
        for severity, row in default_cadence_policy().items()
        for state, minutes in row.items()
    }
    page = {"page_name": "Acme Status", "timezone": "UTC", "brand_color": "#1f6feb"}
    return page | cadence | fields


def user_fields(**fields):
    person = {"email": "new@example.com", "name": "New", "role": "viewer", "password": "x" * 12}
    return person | fields


def csv_upload(data: bytes):
    return {"file": (io.BytesIO(data), "subscribers.csv"), "consented": "y"}


def renamed_and_identified(body):
    return {"incident": {"name": "Checkout down", "status": "identified", "body": body}}


def firing(version="4"):
    """An Alertmanager notification of one alert firing on the API component."""
    alert = {
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "component": "api", "severity": "critical"},
        "annotations": {"summary": "API 5xx above 5%"},
        "startsAt": "2026-11-30T10:42:00Z",
        "fingerprint": "f1",
    }
    return {"version": version, "groupKey": "{}:{}", "status": "firing", "alerts": [alert]}


def _id(obj):
    return obj.public_id


@dataclass(frozen=True)
class Route:
    """A write route; ``valid``/``refused`` give the form fields (console) or JSON body (API)."""

    endpoint: str
    url: Callable[[World], str]
    valid: Callable[[World], dict | None]
    refused: Callable[[World], dict | None]
    refused_url: Callable[[World], str] | None = None  # another target, when that is the fault
    refused_status: int = 422
    method: str = "POST"

    @property
    def is_api(self):
        return self.endpoint.startswith("api.")


def nothing(w):
    return None


# fmt: off
ROUTES = [
    # --- Console: components and groups -------------------------------------------------------
    Route("admin.create_component", lambda w: "/admin/components/new",
          lambda w: {"name": "Search"}, lambda w: {"name": ""}),
    Route("admin.edit_component", lambda w: f"/admin/components/{_id(w.web)}/edit",
          lambda w: {"name": "Website", "slug": "web", "alert_mode": "automatic"},
          lambda w: {"name": "Website", "slug": "Not a slug!", "alert_mode": "automatic"}),
    Route("admin.change_component_status", lambda w: f"/admin/components/{_id(w.web)}/status",
          lambda w: {"status": "major_outage"}, lambda w: {"status": "on_fire"}),
    Route("admin.move_component", lambda w: f"/admin/components/{_id(w.web)}/move/up",
          nothing, nothing, refused_url=lambda w: f"/admin/components/{_id(w.api)}/move/up"),
    # Refused: API is in use by an open incident.
    Route("admin.delete_component", lambda w: f"/admin/components/{_id(w.docs)}/delete",
          nothing, nothing, refused_url=lambda w: f"/admin/components/{_id(w.api)}/delete"),
    Route("admin.create_group", lambda w: "/admin/groups/new",
          lambda w: {"name": "Edge"}, lambda w: {"name": "Backend"}),
    Route("admin.rename_group", lambda w: f"/admin/groups/{_id(w.backend)}/rename",
          lambda w: {"name": "Back end"}, lambda w: {"name": "Frontend"}),
    Route("admin.move_group", lambda w: f"/admin/groups/{_id(w.frontend)}/move/up",
          nothing, nothing, refused_url=lambda w: f"/admin/groups/{_id(w.backend)}/move/up"),
    Route("admin.delete_group",  # 404: no input
          lambda w: f"/admin/groups/{_id(w.backend)}/delete", nothing, nothing,
          refused_url=lambda w: f"/admin/groups/{UNKNOWN}/delete", refused_status=404),
    # --- Console: incidents -------------------------------------------------------------------
    Route("admin.declare_incident", lambda w: "/admin/incidents/new",
          lambda w: {"title": "Search is slow", "external_body": "Looking.", "notify": "y"},
          lambda w: {"title": "", "external_body": "Looking.", "notify": "y"}),
    Route("admin.post_update", lambda w: f"/admin/incidents/{_id(w.incident)}/updates/new",
          lambda w: {"state": "identified", "external_body": "Found it.", "notify": "y"},
          lambda w: {"state": "identified", "external_body": RAW_HTML, "notify": "y"}),
    Route("admin.edit_incident", lambda w: f"/admin/incidents/{_id(w.incident)}/edit",
          lambda w: {"title": "Checkout down", "severity": "SEV2", "impact": "major"},
          lambda w: {"title": "Checkout down", "severity": "SEV9", "impact": "major"}),
    # A refused snooze is flashed on the incident's page: a redirect, as a success is.
    Route("admin.snooze_incident", lambda w: f"/admin/incidents/{_id(w.incident)}/snooze",
          lambda w: {"until": local(timedelta(minutes=30)), "reason": "Vendor is on it"},
          lambda w: {"until": local(timedelta(minutes=30)), "reason": ""}, refused_status=302),
    Route("admin.resolve_incident", lambda w: f"/admin/incidents/{_id(w.incident)}/resolve",
          lambda w: {"external_body": "Fixed.", "restore_components": "y", "notify": "y"},
          lambda w: {"external_body": "Fixed.", "notify": "y"},
          refused_url=lambda w: f"/admin/incidents/{_id(w.resolved)}/resolve"),
    Route("admin.post_postmortem", lambda w: f"/admin/incidents/{_id(w.resolved)}/postmortem",
          lambda w: {"external_body": "Postmortem: <https://example.com/pm>",
                     "postmortem_url": "https://example.com/pm"},
          lambda w: {"external_body": "Postmortem: <https://example.com/pm>",
                     "postmortem_url": "https://example.com/pm"},
          refused_url=lambda w: f"/admin/incidents/{_id(w.incident)}/postmortem"),
    Route("admin.correct_update",
          lambda w: f"/admin/incidents/{_id(w.incident)}/updates/{_id(w.update)}/correct",
          lambda w: {"external_body": "Looking into checkout errors."},
          lambda w: {"external_body": RAW_HTML}),
    Route("admin.correct_incident_moments",
          lambda w: f"/admin/incidents/{_id(w.incident)}/moments",
          lambda w: {"impact_started_at": local(-timedelta(hours=2)),
                     "detected_at": local(-timedelta(hours=1)),
                     "engaged_at": local(-timedelta(minutes=30))},
          lambda w: {"impact_started_at": local(-timedelta(hours=1)),
                     "detected_at": local(-timedelta(hours=2)),
                     "engaged_at": local(-timedelta(minutes=30))}),
    Route("admin.incident_audiences",
          lambda w: f"/admin/incidents/{_id(w.incident)}/audiences",
          lambda w: {"audiences": [w.enterprise.public_id]},
          lambda w: {"audiences": ["1234567890123456789012345"]}),
    # A refused retry (the dispatch was sent) is flashed on the dispatches page.
    Route("admin.retry_failed_dispatch", lambda w: f"/admin/dispatches/{w.failed.id}/retry",
          nothing, nothing, refused_url=lambda w: f"/admin/dispatches/{w.sent.id}/retry",
          refused_status=302),
    # --- Console: maintenance -----------------------------------------------------------------
    Route("admin.schedule_maintenance", lambda w: "/admin/maintenance/new",
          lambda w: window_fields(components=[_id(w.web)], notify="y"),
          lambda w: window_fields(scheduled_until=local(timedelta(days=1)))),
    Route("admin.edit_maintenance", lambda w: f"/admin/maintenance/{_id(w.scheduled)}/edit",
          lambda w: window_fields(title="Database upgrade (moved)"),
          lambda w: window_fields(title="")),
    Route("admin.start_maintenance", lambda w: f"/admin/maintenance/{_id(w.scheduled)}/start",
          nothing, nothing, refused_url=lambda w: f"/admin/maintenance/{_id(w.running)}/start"),
    Route("admin.complete_maintenance",
          lambda w: f"/admin/maintenance/{_id(w.running)}/complete", nothing, nothing,
          refused_url=lambda w: f"/admin/maintenance/{_id(w.scheduled)}/complete"),
    Route("admin.cancel_maintenance", lambda w: f"/admin/maintenance/{_id(w.scheduled)}/cancel",
          lambda w: {"notify": "y"}, lambda w: {"external_body": RAW_HTML, "notify": "y"}),
    Route("admin.set_component_target", lambda w: f"/admin/components/{_id(w.api)}/target",
          lambda w: {"target": "99.9"}, lambda w: {"target": "100"}),
    # --- Console: people, settings, keys ------------------------------------------------------
    Route("admin.edit_profile", lambda w: "/admin/profile",
          lambda w: {"timezone": "Europe/Berlin"}, lambda w: {"timezone": "Mars/Olympus"}),
    Route("admin.edit_settings", lambda w: "/admin/settings",
          lambda w: settings_fields(), lambda w: settings_fields(brand_color="blue")),
    Route("admin.create_user", lambda w: "/admin/users/new",
          lambda w: user_fields(), lambda w: user_fields(password="short")),
    Route("admin.change_user", lambda w: f"/admin/users/{w.viewer.id}",
          lambda w: {"role": "lead", "active": "y"}, lambda w: {"role": "root", "active": "y"}),
    Route("admin.create_api_key_page", lambda w: "/admin/settings/api-keys",
          lambda w: {"name": "pipeline", "scope": "lead"},
          lambda w: {"name": "pipeline", "scope": "root"}),
    Route("admin.revoke_api_key_page",  # 404: no input
          lambda w: f"/admin/settings/api-keys/{w.old_key.id}/revoke", nothing, nothing,
          refused_url=lambda w: "/admin/settings/api-keys/999999/revoke", refused_status=404),
    # --- Console: fan-out and templates -------------------------------------------------------
    Route("admin.choose_monthly_email", lambda w: "/admin/reports/monthly-email",
          lambda w: {"group": str(w.execs.id)}, lambda w: {"group": "1234567890123456789012345"}),
    Route("admin.new_stakeholder_group", lambda w: "/admin/stakeholders/new",
          lambda w: {"name": "Support", "emails": "desk@example.com", "min_severity": "SEV3"},
          lambda w: {"name": "Support", "emails": "", "min_severity": "SEV3"}),
    Route("admin.edit_stakeholder_group", lambda w: f"/admin/stakeholders/{w.execs.id}",
          lambda w: {"name": "Execs", "emails": "cto@example.com", "min_severity": "SEV1"},
          lambda w: {"name": "Execs", "emails": "not an address", "min_severity": "SEV1"}),
    Route("admin.delete_stakeholder_group",  # 404: no input
          lambda w: f"/admin/stakeholders/{w.execs.id}/delete", nothing, nothing,
          refused_url=lambda w: "/admin/stakeholders/999999/delete", refused_status=404),
    Route("admin.new_audience", lambda w: "/admin/audiences/new",
          lambda w: {"name": "Partners", "kind": "customer", "networks": "10.0.0.0/8"},
          lambda w: {"name": "Partners", "kind": "customer", "networks": "10.0.0.1/8"}),
    Route("admin.edit_audience_page", lambda w: f"/admin/audiences/{w.enterprise.public_id}",
          lambda w: {"name": "Enterprise", "kind": "internal", "domains": "example.com"},
          lambda w: {"name": "Enterprise", "kind": "customer", "domains": "gmail.com"}),
    Route("admin.delete_audience_page",  # 404: no input
          lambda w: f"/admin/audiences/{w.enterprise.public_id}/delete", nothing, nothing,
          refused_url=lambda w: f"/admin/audiences/{UNKNOWN[:12]}/delete", refused_status=404),
    Route("admin.revoke_viewer_page",  # 404: no input
          lambda w: f"/admin/audiences/viewers/{w.viewer_session.public_id}/revoke", nothing,
          nothing, refused_url=lambda w: f"/admin/audiences/viewers/{UNKNOWN[:12]}/revoke",
          refused_status=404),
    Route("admin.revoke_feed_token_page",  # 404: no input
          lambda w: f"/admin/audiences/feed-tokens/{w.feed_token.public_id}/revoke", nothing,
          nothing, refused_url=lambda w: f"/admin/audiences/feed-tokens/{UNKNOWN[:12]}/revoke",
          refused_status=404),
    Route("admin.import_subscribers_csv", lambda w: "/admin/subscribers/import",
          lambda w: csv_upload(b"email\nnew@example.com\n"), lambda w: csv_upload(b"\xff\xfe\x00")),
    Route("admin.create_template", lambda w: "/admin/templates/new",
          lambda w: template_fields(), lambda w: template_fields(body="{{ broken")),
    Route("admin.edit_template", lambda w: f"/admin/templates/{w.template.id}/edit",
          lambda w: template_fields(name="Short", body="Looking into it."),
          lambda w: template_fields(name="Short", body="{{ broken")),
    Route("admin.delete_template",  # 404: no input
          lambda w: f"/admin/templates/{w.template.id}/delete", nothing, nothing,
          refused_url=lambda w: "/admin/templates/999999/delete", refused_status=404),
    # --- API: components and groups (PATCH, not PUT) ------------------------------------------
    Route("api.v1.create_component", lambda w: f"{V1}/components",
          lambda w: {"component": {"name": "Search"}}, lambda w: {"component": {"name": ""}}),
    Route("api.v1.update_component", lambda w: f"{V1}/components/{_id(w.web)}",
          lambda w: {"component": {"status": "degraded_performance"}},
          lambda w: {"component": {"status": "on_fire"}}, refused_status=400,
          method="PATCH"),  # the schema refuses the status before the handler runs
    # Refused: API is in use by an open incident.
    Route("api.v1.delete_component", lambda w: f"{V1}/components/{_id(w.docs)}", nothing, nothing,
          refused_url=lambda w: f"{V1}/components/{_id(w.api)}", method="DELETE"),
    Route("api.v1.create_component_group", lambda w: f"{V1}/component-groups",
          lambda w: {"component_group": {"name": "Edge", "components": [_id(w.web)]}},
          lambda w: {"component_group": {"name": "Backend", "components": [_id(w.web)]}}),
    Route("api.v1.update_component_group", lambda w: f"{V1}/component-groups/{_id(w.backend)}",
          lambda w: {"component_group": {"name": "Back end", "components": [_id(w.web)]}},
          lambda w: {"component_group": {"name": "Frontend", "components": [_id(w.web)]}},
          method="PATCH"),
    Route("api.v1.delete_component_group",  # 404: no input
          lambda w: f"{V1}/component-groups/{_id(w.backend)}", nothing, nothing,
          refused_url=lambda w: f"{V1}/component-groups/{UNKNOWN}", refused_status=404,
          method="DELETE"),
    # --- API: incidents (PATCH, not PUT) ------------------------------------------------------
    Route("api.v1.create_incident", lambda w: f"{V1}/incidents",
          lambda w: {"incident": {"name": "Search is slow", "body": "Looking."}},
          lambda w: {"incident": {"name": "", "body": "Looking."}}),
    # Refused: the rename is flushed before the update's text is refused; both roll back.
    Route("api.v1.update_incident", lambda w: f"{V1}/incidents/{_id(w.incident)}",
          lambda w: renamed_and_identified("Found it."),
          lambda w: renamed_and_identified(RAW_HTML), method="PATCH"),
    # Refused: an incident is never deleted (a window not finished is cancelled).
    Route("api.v1.delete_incident",
          lambda w: f"{V1}/incidents/{_id(w.scheduled)}", nothing, nothing,
          refused_url=lambda w: f"{V1}/incidents/{_id(w.incident)}", refused_status=409,
          method="DELETE"),
    Route("api.v1.update_incident_update",
          lambda w: f"{V1}/incidents/{_id(w.incident)}/incident_updates/{_id(w.update)}",
          lambda w: {"incident_update": {"body": "We are looking (corrected)."}},
          lambda w: {"incident_update": {"body": RAW_HTML}}, method="PATCH"),
    # --- API: subscribers and Alertmanager ----------------------------------------------------
    Route("api.v1.create_subscriber", lambda w: f"{V1}/subscribers",
          lambda w: {"subscriber": {"email": "new@example.com"}},
          lambda w: {"subscriber": {"email": "not an address"}}),
    Route("api.v1.delete_subscriber",  # 404: no input
          lambda w: f"{V1}/subscribers/{subscriber_id(w.subscriber)}", nothing, nothing,
          refused_url=lambda w: f"{V1}/subscribers/{UNKNOWN}", refused_status=404,
          method="DELETE"),
    # Refused: one id of two is unknown; the known one stays subscribed.
    Route("api.v1.unsubscribe_subscribers", lambda w: f"{V1}/subscribers/unsubscribe",
          lambda w: {"subscribers": [subscriber_id(w.subscriber)]},
          lambda w: {"subscribers": [subscriber_id(w.subscriber), UNKNOWN]},
          refused_status=404),
    Route("api.v1.receive_alertmanager", lambda w: "/api/v1/alertmanager",
          lambda w: firing(), lambda w: firing(version="3"), refused_status=400),
    # --- API: page access groups (audiences) and users ----------------------------------------
    Route("api.v1.create_page_access_group", lambda w: f"{V1}/page_access_groups",
          lambda w: {"page_access_group": {"name": "Gold", "component_ids": [_id(w.web)]}},
          lambda w: {"page_access_group": {"name": "Enterprise"}}),  # the name is taken
    Route("api.v1.update_page_access_group",
          lambda w: f"{V1}/page_access_groups/{_id(w.enterprise)}",
          lambda w: {"page_access_group": {"external_identifier": "ent"}},
          lambda w: {"page_access_group": {"component_ids": [UNKNOWN[:12]]}}, method="PATCH"),
    Route("api.v1.delete_page_access_group",  # 404: no input
          lambda w: f"{V1}/page_access_groups/{_id(w.enterprise)}", nothing, nothing,
          refused_url=lambda w: f"{V1}/page_access_groups/{UNKNOWN[:12]}", refused_status=404,
          method="DELETE"),
    Route("api.v1.update_page_access_group_components",
          lambda w: f"{V1}/page_access_groups/{_id(w.enterprise)}/components",
          lambda w: {"component_ids": [_id(w.web)]},
          lambda w: {"component_ids": [_id(w.web), UNKNOWN[:12]]}, method="PATCH"),
    Route("api.v1.set_page_access_group_components",
          lambda w: f"{V1}/page_access_groups/{_id(w.enterprise)}/components",
          lambda w: {"component_ids": [_id(w.web)]},
          lambda w: {"component_ids": [UNKNOWN[:12]]}),
    Route("api.v1.remove_page_access_group_components",
          lambda w: f"{V1}/page_access_groups/{_id(w.enterprise)}/components",
          lambda w: {"component_ids": [_id(w.docs)]},
          lambda w: {"component_ids": ["x" * 41]}, refused_status=400, method="DELETE"),
    Route("api.v1.remove_page_access_group_component",  # 404: no input
          lambda w: f"{V1}/page_access_groups/{_id(w.enterprise)}/components/{_id(w.docs)}",
          nothing, nothing, refused_url=lambda w: (
              f"{V1}/page_access_groups/{_id(w.enterprise)}/components/{_id(w.web)}"),
          refused_status=404, method="DELETE"),
    Route("api.v1.create_page_access_user", lambda w: f"{V1}/page_access_users",
          lambda w: {"page_access_user": {"email": "new@corp.example",
                                          "page_access_group_ids": [_id(w.enterprise)]}},
          lambda w: {"page_access_user": {"email": "new@corp.example"}}),  # in no group
    Route("api.v1.update_page_access_user",
          lambda w: f"{V1}/page_access_users/{page_access_user_id('member@corp.example')}",
          lambda w: {"page_access_user": {"email": "member2@corp.example"}},
          lambda w: {"page_access_user": {"page_access_group_ids": []}}, method="PATCH"),
    Route("api.v1.delete_page_access_user",  # 404: no input
          lambda w: f"{V1}/page_access_users/{page_access_user_id('member@corp.example')}",
          nothing, nothing, refused_url=lambda w: f"{V1}/page_access_users/{UNKNOWN[:12]}",
          refused_status=404, method="DELETE"),
]
# fmt: on
