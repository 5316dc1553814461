"""Email subscribers: list, add, unsubscribe. Subscribers are people's addresses, so reading
and unsubscribing need an admin key; adding one (double opt-in) a lead key, whose answer is
made from its request alone (as the public form's, it never says whether the address was known).

``skip_confirmation_notification: true`` (admin key only) adds the address as confirmed, as
the console's import does when the admin vouches for consent; otherwise the address gets the
usual confirmation email and is only written to once it confirms: at most
``SUBSCRIBE_ADDRESS_RATE_LIMIT`` of them per address, counted with the public form's.
"""

import csv
import io

from flask import abort, current_app, g, jsonify, request

from app.api.v1 import bp, params
from app.api.v1.shapes import iso, subscriber_id, subscriber_shape
from app.api.v1.validation import json_body, validated
from app.auth.api_keys import require_scope
from app.core.uow import transactional
from app.core.users import normalize_email
from app.extensions import limiter
from app.fanout.subscriber_csv import import_subscribers, search_subscribers
from app.fanout.subscribers import (
    ADDRESS_LIMIT_SCOPE,
    address_limit_key,
    personal_token,
    subscribe,
    subscriber_by_email,
    subscriber_by_selector,
    unsubscribe,
)
from app.incidents.components import get_component
from app.models import Role, Subscriber
from app.sqltypes import utcnow

# Statuspage's ``state`` filter → Crier's subscriber status.
_STATES = {
    "active": "active",
    "unconfirmed": "pending",
    "quarantined": "suppressed",
    "unsubscribed": "unsubscribed",
    "all": "",
}


def find_subscriber(sub_id: str) -> Subscriber:
    sub = subscriber_by_selector(sub_id)
    if sub is None:
        abort(404, description="There is no subscriber with that id.")
    return sub


@bp.get("/pages/<page_id>/subscribers")
@require_scope(Role.admin)
def list_subscribers():
    """Subscribers, newest first; ``q`` searches the addresses, ``state`` filters."""
    limit, page = params.paging()
    state = request.args.get("state", "active")
    if state not in _STATES:
        abort(400, description=f"“state” is one of {', '.join(_STATES)}.")
    query = params.search(most=254)
    found = search_subscribers(query=query, status=_STATES[state], limit=page * limit)
    return jsonify([subscriber_shape(s) for s in found[(page - 1) * limit :]])


@bp.get("/pages/<page_id>/subscribers/<subscriber:sub_id>")
@require_scope(Role.admin)
def show_subscriber(sub_id):
    return jsonify(subscriber_shape(find_subscriber(sub_id)))


def _requested() -> dict:
    """The body's subscriber object, as far as it is one (the limit runs before the view)."""
    body = json_body()
    sub = body.get("subscriber") if isinstance(body, dict) else None
    return sub if isinstance(sub, dict) else {}


def _address_key() -> str:
    """The address this request would send a confirmation email to (shared with the form)."""
    return address_limit_key(_requested().get("email"))


def _sends_no_email() -> bool:
    return _requested().get("skip_confirmation_notification") is True


def _as_requested(sub: Subscriber, components) -> dict:
    """What a key that may not read subscribers is told: its request, as for a new address."""
    return subscriber_shape(sub) | {
        "email": sub.email,
        "quarantined_at": None,
        "components": [c.public_id for c in components],
        "created_at": iso(utcnow()),
        "state": "pending",
        "confirmed_at": None,
        "unsubscribed_at": None,
    }


@bp.post("/pages/<page_id>/subscribers")
@limiter.shared_limit(
    lambda: current_app.config["SUBSCRIBE_ADDRESS_RATE_LIMIT"],
    scope=ADDRESS_LIMIT_SCOPE,
    key_func=_address_key,
    exempt_when=_sends_no_email,
    override_defaults=False,  # the key's own limit still counts
)
@require_scope(Role.lead)
@transactional
def create_subscriber():
    """Subscribe an email address (all components, or ``component_ids``)."""
    obj = validated("subscriber")
    email = normalize_email(obj["email"])
    components = []
    for component_id in obj.get("component_ids", ()):
        component = get_component(component_id)
        if component is None or not component.is_public:
            abort(422, description=f"There is no public component {component_id!r}.")
        components.append(component)
    if obj.get("skip_confirmation_notification"):
        if g.api_key.scope != Role.admin:
            abort(403, description="Adding a confirmed subscriber needs an admin key.")
        out = io.StringIO()
        csv.writer(out).writerows(
            [["email", "components"], [email, ";".join(c.slug for c in components)]]
        )
        import_subscribers(out.getvalue(), consented=True)
    else:
        subscribe(email, component_ids=[str(c.id) for c in components])
    sub = subscriber_by_email(email)
    if sub is None:
        abort(422, description="That address cannot be subscribed.")
    if g.api_key.scope.rank < Role.admin.rank:  # only admin keys read subscribers
        return jsonify(_as_requested(sub, components)), 201
    return jsonify(subscriber_shape(sub)), 201


@bp.delete("/pages/<page_id>/subscribers/<subscriber:sub_id>")
@require_scope(Role.admin)
@transactional
def delete_subscriber(sub_id):
    """Unsubscribe one subscriber (the row stays, so nobody can resubscribe them by mistake)."""
    sub = unsubscribe(personal_token(find_subscriber(sub_id)))
    return jsonify(subscriber_shape(sub))


@bp.post("/pages/<page_id>/subscribers/unsubscribe")
@require_scope(Role.admin)
@transactional
def unsubscribe_subscribers():
    """Unsubscribe several: ``{"subscribers": ["id", …]}`` (or a comma-separated string)."""
    ids = validated("subscribers")
    if isinstance(ids, str):  # Statuspage's comma-separated form
        ids = [i.strip() for i in ids.split(",") if i.strip()]
    if len(ids) > 1000:
        abort(422, description="Unsubscribe at most 1000 subscribers at a time.")
    subs = [find_subscriber(i) for i in ids]  # all found before any changes
    done = [subscriber_id(unsubscribe(personal_token(sub))) for sub in subs]
    return jsonify({"unsubscribed": done})
