"""Fragments of pages rendered once and kept between publishes: history rows, month links,
the status page's component items.

A history page re-rendered for one change shows hundreds of rows and, on a long archive, a
link to each of a hundred or more months; nearly all of them are what the last publish
rendered. Each fragment is kept by everything it shows (the incident's facts, the months, the
page's timezone and script root, the template environment), so a change to any of them
renders it anew; the caches are bounded and simply start over when full.
"""

from flask import current_app, g, request
from markupsafe import Markup

from app.core.settings import page_settings
from app.publishing import pages
from app.publishing.feeds import external_html
from app.publishing.kept import Kept
from app.publishing.status import STATUS_LABELS, public_updates

_rows = Kept(20_000)  # history rows (a few hundred bytes each)
_links = Kept(512)  # month link lists (one per history index: the page's and each component's)
_items = Kept(1024)  # status page component items (a few kilobytes each: 90 uptime bars)


def helpers() -> dict:
    """The functions every public template may call."""
    return {
        "history_row": history_row,
        "history_rows": history_rows,
        "archive_links": archive_links,
        "component_items": component_items,
        # Rows stored before text was cleaned at the edge may hold control characters.
        "markdown": external_html,
        "public_updates": public_updates,
        "affected_components": pages.affected_components,
        "duration_seconds": pages.duration_seconds,
        "status_label": lambda status: STATUS_LABELS[status],
        "long_date": lambda day: f"{day.day} {day:%B %Y}",
    }


def _macros():
    """The public macros with the helpers bound, made once per request context."""
    if "crier_public_macros" not in g:
        template = current_app.jinja_env.get_template("public/_macros.html")
        g.crier_public_macros = template.make_module(helpers())
    return g.crier_public_macros


def _page_key() -> tuple:
    """What every fragment's bytes also depend on besides its own facts."""
    return (page_settings().timezone, request.script_root, current_app.jinja_env)


def history_row(incident, page_key: tuple | None = None) -> Markup:
    """One history row (``incident_row``), rendered once for the same facts on the same page:
    a history page re-rendered for one change renders only that change's row."""
    key = (
        incident.public_id,
        incident.title,
        incident.impact,
        incident.kind,
        incident.state,
        incident.started_at,
        incident.resolved_at,
        *(page_key or _page_key()),
    )
    return _rows.get_or_make(key, lambda: _macros().incident_row(incident))


def history_rows(incidents) -> Markup:
    """The rows of a list of incidents, one after the other (no loop in the template)."""
    page_key = _page_key()
    return Markup("".join([history_row(incident, page_key) for incident in incidents]))  # noqa: S704 - rendered macros


def archive_links(months, component) -> Markup:
    """The "every month" links of a history index (``month_links``), rendered once for the
    same months of the same component."""
    key = (tuple(months), component.slug if component else None, *_page_key())
    return _links.get_or_make(key, lambda: _macros().month_links(months, component))


def component_items(components, uptime) -> Markup:
    """The status page's items (``component_item``) of these components, each rendered once
    for the same name, status, description and uptime bars."""
    items, page_key = [], _page_key()
    for component in components:
        shown = uptime[component.id]
        key = (
            component.slug,
            component.is_public,  # a hidden one (on an audience's page) has no history page
            component.name,
            component.status,
            component.description,
            shown.percent,
            tuple(shown.days),
            *page_key,
        )
        item = _items.get(key)
        if item is None:
            item = _items.put(key, _macros().component_item(component, uptime))
        items.append(item)
    return Markup("".join(items))  # noqa: S704 - rendered macros
