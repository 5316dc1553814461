"""The admin console. Every route in it needs a signed-in user."""

from flask import Blueprint, current_app, request
from flask_login import current_user

from app.extensions import csrf, login_manager

bp = Blueprint("admin", __name__)
# The CSRF check runs below, after the login gate, so a signed-out visitor posting a form is
# sent to sign in rather than told the form expired.
csrf.exempt(bp)


@bp.before_request
def require_login():
    # One gate for the whole blueprint, so no admin route can forget it.
    """Send signed-out visitors to sign in, then check CSRF on writes."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method in current_app.config["WTF_CSRF_METHODS"]:
        csrf.protect()
    return None


@bp.context_processor
def _admin_globals():
    from app.admin.reach import reach_for
    from app.admin.texts import due_hint
    from app.auth.forms import LogoutForm
    from app.markdown import render_markdown
    from app.timefmt import format_local

    return {
        "logout_form": LogoutForm(formdata=None),  # rendered, never read from this request
        "render_markdown": render_markdown,
        "format_local": format_local,
        "component_groups": component_groups,
        "due_hint": due_hint,
        "reach_for": reach_for,
    }


def component_groups(rows, selected) -> list[dict]:
    """The picker's rows [(component, status in the incident)] by group, in page order. A
    group starts open when it has a change or a component of the incident, or the page is
    small enough to show whole."""
    groups: dict[str, dict] = {}
    for component, current in rows:
        name = component.group.name if component.group else "Not in a group"
        group = groups.setdefault(name, {"name": name, "items": [], "changing": 0, "open": False})
        group["items"].append((component, current))
        changing = bool(selected.get(component.public_id))
        group["changing"] += changing
        group["open"] = group["open"] or changing or current is not None
    for group in groups.values():
        group["open"] = group["open"] or len(rows) <= PICKER_OPEN_UP_TO
    return list(groups.values())


# Pages with more components than this start with their groups folded.
PICKER_OPEN_UP_TO = 8


# Routes register on import; one module per area of the console.
from app.admin import (  # noqa: E402, F401
    api_keys,
    audiences,
    audit,
    components,
    corrections,
    feed_tokens,
    incident_audiences,
    incidents,
    maintenance,
    moments,
    previews,
    profile,
    reach,
    reports,
    settings,
    stakeholders,
    subscribers,
    targets,
    templates_admin,
    users,
    viewers,
    views,
)
