"""Statuspage's page access groups and users, on Crier's audiences (admin keys only).

A page access group is an audience: its ``component_ids`` the hidden components it sees, its
``external_identifier`` the OpenID Connect claim value that admits to it. A page access user is
an address an audience admits, one id per address whatever its groups. Every change is one
call of the console's verbs (``app.audiences.manage``: checked, audited, and re-publishing
what moved), all in the request's one transaction.
"""

import hashlib

from flask import abort, jsonify, request

from app.api.v1 import bp, params
from app.api.v1.shapes import PAGE_ID, component_shape, iso
from app.api.v1.validation import validated
from app.audiences.admissions import AudienceDraft, check_email
from app.audiences.manage import create_audience, delete_audience, edit_audience
from app.audiences.readers import get_audience, list_audiences
from app.auth.api_keys import acting_user, require_scope
from app.core import ServiceError
from app.core.uow import transactional
from app.models import AdmissionKind, PageAudience, Role

GROUPS = "/pages/<page_id>/page_access_groups"
USERS = "/pages/<page_id>/page_access_users"


def user_id(email: str) -> str:
    """A page access user's id: the same for an address in every group that admits it."""
    return hashlib.sha256(f"page-access-user:{email}".encode()).hexdigest()[:12]


def _paged(items: list) -> list:
    per_page = params.per_page()
    _, page = params.paging()
    return items[(page - 1) * per_page : page * per_page]


def draft_of(audience: PageAudience, **changes) -> AudienceDraft:
    """The audience as the console's form would hold it, with ``changes``."""
    draft = AudienceDraft(
        name=audience.name,
        kind=audience.kind.value,
        component_ids=[c.public_id for c in audience.components],
        group_ids=[g.public_id for g in audience.groups],
        emails=audience.admitted(AdmissionKind.email),
        domains=audience.admitted(AdmissionKind.domain),
        claims=audience.admitted(AdmissionKind.claim),
        networks=audience.admitted(AdmissionKind.network),
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def group_shape(audience: PageAudience) -> dict:
    claims = audience.admitted(AdmissionKind.claim)
    return {
        "id": audience.public_id,
        "page_id": PAGE_ID,
        "name": audience.name,
        "page_access_user_ids": [user_id(e) for e in audience.admitted(AdmissionKind.email)],
        "external_identifier": claims[0] if claims else None,
        "metric_ids": [],
        "component_ids": [c.public_id for c in audience.components],
        "created_at": iso(audience.created_at),
        "updated_at": iso(audience.updated_at),
        "kind": audience.kind.value,
        "component_group_ids": [g.public_id for g in audience.groups],
    }


def _users() -> dict[str, tuple[str, list[PageAudience]]]:
    """Every page access user: id -> (address, the audiences admitting it by name)."""
    found: dict[str, tuple[str, list[PageAudience]]] = {}
    for audience in list_audiences():
        for email in audience.admitted(AdmissionKind.email):
            found.setdefault(user_id(email), (email, []))[1].append(audience)
    return found


def user_shape(uid: str, email: str, audiences: list[PageAudience]) -> dict:
    ids = [a.public_id for a in audiences]
    return {
        "id": uid,
        "page_id": PAGE_ID,
        "email": email,
        "external_login": None,
        "page_access_group_id": ids[0] if ids else None,
        "page_access_group_ids": ids,
        "created_at": None,
        "updated_at": None,
    }


def _group(group_id: str) -> PageAudience:
    audience = get_audience(group_id) if params.is_id(group_id) else None
    if audience is None:
        abort(404, description="There is no page access group with that id.")
    return audience


def _user(uid: str) -> tuple[str, str, list[PageAudience]]:
    found = _users().get(uid) if params.is_id(uid) else None
    if found is None:
        abort(404, description="There is no page access user with that id.")
    return uid, *found


def _emails_of(user_ids: list[str]) -> list[str]:
    users = _users()
    missing = [u for u in user_ids if u not in users]
    if missing:
        raise ServiceError(f"There is no page access user with the id {missing[0]!r}.",
                           field="page_access_user_ids")  # fmt: skip
    return [users[u][0] for u in dict.fromkeys(user_ids)]


def _group_changes(obj: dict) -> dict:
    changes = {}
    if "name" in obj:
        changes["name"] = obj["name"]
    if "kind" in obj:
        changes["kind"] = obj["kind"]
    if "component_ids" in obj:
        changes["component_ids"] = list(obj["component_ids"] or [])
    if "external_identifier" in obj:
        value = obj["external_identifier"]
        changes["claims"] = [value] if value else []
    if "page_access_user_ids" in obj:
        changes["emails"] = _emails_of(list(obj["page_access_user_ids"] or []))
    return changes


@bp.get(GROUPS)
@require_scope(Role.admin)
def list_page_access_groups():
    """Every page access group (audience), by name."""
    return jsonify([group_shape(a) for a in _paged(list_audiences())])


@bp.post(GROUPS)
@require_scope(Role.admin)
@transactional
def create_page_access_group():
    """A new audience (a customer one unless ``kind`` says internal)."""
    changes = _group_changes(validated("page_access_group"))
    audience = create_audience(AudienceDraft(**changes), actor=acting_user())
    return jsonify(group_shape(audience)), 201


@bp.get(f"{GROUPS}/<page_access_group_id>")
@require_scope(Role.admin)
def show_page_access_group(page_access_group_id):
    return jsonify(group_shape(_group(page_access_group_id)))


@bp.route(f"{GROUPS}/<page_access_group_id>", methods=["PATCH", "PUT"])
@require_scope(Role.admin)
@transactional
def update_page_access_group(page_access_group_id):
    """Change the fields given; the others stay."""
    audience = _group(page_access_group_id)
    changes = _group_changes(validated("page_access_group"))
    edit_audience(audience, draft_of(audience, **changes), actor=acting_user())
    return jsonify(group_shape(audience))


@bp.delete(f"{GROUPS}/<page_access_group_id>")
@require_scope(Role.admin)
@transactional
def delete_page_access_group(page_access_group_id):
    """Delete the audience; its viewers keep the public floor."""
    audience = _group(page_access_group_id)
    shape = group_shape(audience)
    delete_audience(audience, actor=acting_user())
    return jsonify(shape)


@bp.get(f"{GROUPS}/<page_access_group_id>/components")
@require_scope(Role.admin)
def list_page_access_group_components(page_access_group_id):
    """The components the group sees beyond the public ones."""
    audience = _group(page_access_group_id)
    return jsonify([component_shape(c) for c in _paged(list(audience.components))])


def _set_components(page_access_group_id, how: str):
    audience = _group(page_access_group_id)
    given = list(dict.fromkeys(validated("component_ids")))
    have = [c.public_id for c in audience.components]
    wanted = {
        "add": have + [c for c in given if c not in have],
        "replace": given,
        "remove": [c for c in have if c not in given],
    }[how]
    edit_audience(audience, draft_of(audience, component_ids=wanted), actor=acting_user())
    return jsonify(group_shape(audience))


@bp.route(f"{GROUPS}/<page_access_group_id>/components", methods=["PATCH", "PUT"])
@require_scope(Role.admin)
@transactional
def update_page_access_group_components(page_access_group_id):
    """Add the components in ``component_ids`` to those the group sees."""
    return _set_components(page_access_group_id, "add")


@bp.post(f"{GROUPS}/<page_access_group_id>/components")
@require_scope(Role.admin)
@transactional
def set_page_access_group_components(page_access_group_id):
    """Make ``component_ids`` exactly the components the group sees."""
    return _set_components(page_access_group_id, "replace")


@bp.delete(f"{GROUPS}/<page_access_group_id>/components")
@require_scope(Role.admin)
@transactional
def remove_page_access_group_components(page_access_group_id):
    """Remove the components in ``component_ids`` from those the group sees."""
    return _set_components(page_access_group_id, "remove")


@bp.delete(f"{GROUPS}/<page_access_group_id>/components/<component_id>")
@require_scope(Role.admin)
@transactional
def remove_page_access_group_component(page_access_group_id, component_id):
    """Remove one component from those the group sees (404 if it does not see it)."""
    audience = _group(page_access_group_id)
    have = [c.public_id for c in audience.components]
    if component_id not in have:
        abort(404, description="The group does not see a component with that id.")
    wanted = [c for c in have if c != component_id]
    edit_audience(audience, draft_of(audience, component_ids=wanted), actor=acting_user())
    return jsonify(group_shape(audience))


@bp.get(USERS)
@require_scope(Role.admin)
def list_page_access_users():
    """Every address an audience admits by itself (``email`` filters), in address order."""
    wanted = request.args.get("email")
    if wanted is not None and len(wanted) > 254:
        abort(400, description="“email” is longer than 254 characters.")
    users = sorted(_users().items(), key=lambda item: item[1][0])
    if wanted:
        users = [u for u in users if u[1][0] == wanted.strip().lower()]
    return jsonify([user_shape(uid, email, auds) for uid, (email, auds) in _paged(users)])


def _place(email: str, group_ids: list[str], *, old_email: str | None = None) -> None:
    """Admit ``email`` to exactly the groups ``group_ids`` (and ``old_email`` to none)."""
    if not group_ids:
        raise ServiceError("Crier admits a page access user through a page access group: "
                           "give at least one in page_access_group_ids.",
                           field="page_access_group_ids")  # fmt: skip
    wanted = [_group_or_422(g) for g in dict.fromkeys(group_ids)]
    wanted_ids = {a.id for a in wanted}
    for audience in list_audiences():
        emails = audience.admitted(AdmissionKind.email)
        kept = [e for e in emails if e not in (email, old_email)]
        if audience.id in wanted_ids:
            kept.append(email)
        if kept != emails:
            edit_audience(audience, draft_of(audience, emails=kept), actor=acting_user())


def _group_or_422(group_id: str) -> PageAudience:
    audience = get_audience(group_id)
    if audience is None:
        raise ServiceError(f"There is no page access group with the id {group_id[:40]!r}.",
                           field="page_access_group_ids")  # fmt: skip
    return audience


def _group_ids(obj: dict) -> list[str] | None:
    if "page_access_group_ids" in obj:
        return list(obj["page_access_group_ids"] or [])
    if obj.get("page_access_group_id"):
        return [obj["page_access_group_id"]]
    return None


@bp.post(USERS)
@require_scope(Role.admin)
@transactional
def create_page_access_user():
    """Admit an address to the groups given."""
    obj = validated("page_access_user")
    email = check_email(obj.get("email") or "")
    if user_id(email) in _users():
        raise ServiceError("A page access user with this email exists; PATCH it instead.",
                           field="email")  # fmt: skip
    _place(email, _group_ids(obj) or [])
    return jsonify(user_shape(*_user(user_id(email)))), 201


@bp.get(f"{USERS}/<page_access_user_id>")
@require_scope(Role.admin)
def show_page_access_user(page_access_user_id):
    return jsonify(user_shape(*_user(page_access_user_id)))


@bp.route(f"{USERS}/<page_access_user_id>", methods=["PATCH", "PUT"])
@require_scope(Role.admin)
@transactional
def update_page_access_user(page_access_user_id):
    """Change the address and/or the groups that admit it."""
    _uid, email, audiences = _user(page_access_user_id)
    obj = validated("page_access_user")
    new_email = check_email(obj["email"]) if obj.get("email") else email
    if new_email != email and user_id(new_email) in _users():
        raise ServiceError("A page access user with this email exists.", field="email")
    group_ids = _group_ids(obj)
    if group_ids is None:
        group_ids = [a.public_id for a in audiences]
    _place(new_email, group_ids, old_email=email)
    return jsonify(user_shape(*_user(user_id(new_email))))


@bp.delete(f"{USERS}/<page_access_user_id>")
@require_scope(Role.admin)
@transactional
def delete_page_access_user(page_access_user_id):
    """No audience admits the address by itself any more (its domain may still)."""
    _uid, email, audiences = _user(page_access_user_id)
    for audience in audiences:
        kept = [e for e in audience.admitted(AdmissionKind.email) if e != email]
        edit_audience(audience, draft_of(audience, emails=kept), actor=acting_user())
    return "", 204
