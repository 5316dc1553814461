"""Who a form's notification will reach, before it is sent: counted by fan-out's own rule
(``app.fanout.reach``) for the form's severity and components, on the page and again as the
form changes (``GET /admin/reach``, which ``static/reach.js`` asks)."""

from flask import render_template, request, url_for

from app.admin import bp
from app.admin.common import incident_or_404
from app.admin.forms import component_statuses
from app.audiences.seen_by import seen_by_form
from app.auth.roles import require_role
from app.fanout.reach import component_ids_of, incident_reach, reach
from app.models import IncidentKind, Role, Severity

_SEVERITIES = {s.value for s in Severity}


def summary(*, severity, public_ids, incident=None, is_public=True, notify, notify_stakeholders):
    """What the partial ``admin/_reach.html`` shows."""
    severity = severity if severity in _SEVERITIES else None
    if incident is not None:
        counted = incident_reach(incident, extra_public_ids=public_ids, severity=severity)
    else:
        counted = reach(
            severity=severity or Severity.SEV3, component_ids=component_ids_of(public_ids)
        )
    seen = seen_by_form(
        incident=incident, component_ids=component_ids_of(public_ids), is_public=is_public
    )
    return {
        "reach": counted,
        "seen": seen,
        "public": is_public,
        "notify": notify,
        "notify_stakeholders": notify_stakeholders,
    }


def _chosen(values) -> list[str]:
    """The public ids of the components a form changes or lists."""
    picked = [pid for pid, status in component_statuses(values).items() if status]
    return picked + [v for v in values.getlist("components") if v]


def reach_for(form, incident=None) -> dict:
    """The summary for a form as it is rendered (its data, or the defaults on a first GET)."""
    values = request.form if request.method == "POST" else request.args
    severity = getattr(getattr(form, "severity", None), "data", None)
    if severity is None:
        severity = incident.severity.value if incident is not None else Severity.SEV5.value
    components = getattr(form, "components", None)
    public_ids = list(components.data or []) if components is not None else _chosen(values)
    if incident is not None:
        is_public = incident.is_public
    else:
        is_public = getattr(getattr(form, "is_public", None), "data", True)
    kind = "maintenance" if incident is None and components is not None else None
    url = url_for("admin.show_reach", incident=incident.public_id if incident else None, kind=kind)
    return {"url": url} | summary(
        severity=severity,
        public_ids=public_ids,
        incident=incident,
        is_public=bool(is_public),
        notify=bool(getattr(getattr(form, "notify", None), "data", False)),
        notify_stakeholders=bool(
            getattr(getattr(form, "notify_stakeholders", None), "data", False)
        ),
    )


@bp.route("/reach")
@require_role(Role.lead)
def show_reach():
    """The reach of a form's current inputs (its query string), as the partial's body."""
    args = request.args
    incident = incident_or_404(args["incident"]) if args.get("incident") else None
    if incident is not None:
        severity, is_public = args.get("severity") or incident.severity.value, incident.is_public
    elif args.get("kind") == IncidentKind.maintenance.value:
        severity, is_public = Severity.SEV5.value, True
    else:
        severity, is_public = args.get("severity", ""), "is_public" in args
    data = summary(
        severity=severity,
        public_ids=_chosen(args),
        incident=incident,
        is_public=is_public,
        notify="notify" in args,
        notify_stakeholders="notify_stakeholders" in args,
    )
    return render_template("admin/_reach_body.html", **data)
