"""The console's verbs: create, edit and delete an audience. Each is audited; none commits."""

from app.audiences.admissions import (
    MAX_ENTRIES,
    AudienceDraft,
    AudienceInvalid,
    CleanAudience,
    check_draft,
)
from app.audiences.readers import PUBLIC_ID
from app.core.audit import record
from app.extensions import db
from app.models import (
    AudienceAdmission,
    Component,
    ComponentGroup,
    Incident,
    PageAudience,
    User,
)
from app.signals import public_changed


def _by_public_id(model, public_ids: tuple[str, ...], field: str, what: str) -> list:
    if not public_ids:
        return []
    found = {
        row.public_id: row
        for row in db.session.scalars(db.select(model).where(model.public_id.in_(public_ids)))
    }
    missing = [p for p in public_ids if p not in found]
    if missing:
        raise AudienceInvalid({field: f"There is no {what} with the id {missing[0]!r}."})
    return [found[p] for p in public_ids]


def _seen(audience: PageAudience) -> tuple[set, set]:
    return {c.id for c in audience.components}, {g.id for g in audience.groups}


def _floor_moved() -> None:
    """What audiences name leaves the public floor (or returns to it): re-publish it all."""
    public_changed.send(None, everything=True)
    db.session.flush()


def _apply(audience: PageAudience, clean: CleanAudience) -> dict:
    clash = db.session.scalar(db.select(PageAudience.id).filter_by(name=clean.name))
    if clash is not None and clash != audience.id:
        raise AudienceInvalid({"name": f"Another audience is already called {clean.name!r}."})
    audience.components = _by_public_id(
        Component, clean.component_ids, "component_ids", "component"
    )
    audience.groups = _by_public_id(ComponentGroup, clean.group_ids, "group_ids", "group")
    audience.name = clean.name
    audience.kind = clean.kind
    wanted = set(clean.admissions)
    kept = [a for a in audience.admissions if (a.kind, a.value) in wanted]
    have = {(a.kind, a.value) for a in kept}
    audience.admissions = kept + [
        AudienceAdmission(kind=kind, value=value)
        for kind, value in clean.admissions
        if (kind, value) not in have
    ]
    return {
        "name": clean.name,
        "kind": clean.kind.value,
        "components": list(clean.component_ids),
        "groups": list(clean.group_ids),
        "admissions": len(clean.admissions),
    }


def create_audience(draft: AudienceDraft, *, actor: User) -> PageAudience:
    """A new audience, checked as a whole."""
    clean = check_draft(draft)
    audience = PageAudience(name=clean.name, kind=clean.kind)
    detail = _apply(audience, clean)
    db.session.add(audience)
    record("audience.create", actor=actor, obj=audience, detail=detail)
    if audience.components or audience.groups:
        _floor_moved()
    return audience


def edit_audience(audience: PageAudience, draft: AudienceDraft, *, actor: User) -> PageAudience:
    """Change an audience's name, kind, components or who it admits."""
    clean = check_draft(draft)
    before = _seen(audience)
    detail = _apply(audience, clean)
    record("audience.edit", actor=actor, obj=audience, detail=detail)
    if _seen(audience) != before:
        _floor_moved()
    return audience


def delete_audience(audience: PageAudience, *, actor: User) -> None:
    """Delete an audience; its viewers keep the public floor."""
    record("audience.delete", actor=actor, obj=audience, detail={"name": audience.name})
    named = audience.components or audience.groups
    db.session.delete(audience)
    db.session.flush()
    if named:
        _floor_moved()


def set_incident_audiences(
    incident: Incident, audience_ids: list[str], *, actor: User
) -> list[PageAudience]:
    """The audiences the lead adds to an incident by hand, beyond those its components bring
    (public ids; an internal-only incident still reaches internal audiences only)."""
    if len(audience_ids) > MAX_ENTRIES:
        raise AudienceInvalid({"audiences": f"At most {MAX_ENTRIES} audiences."})
    for value in audience_ids:
        if not isinstance(value, str) or not PUBLIC_ID.fullmatch(value):
            shown = str(value)[:40]
            raise AudienceInvalid({"audiences": f"There is no audience with the id {shown!r}."})
    wanted = tuple(dict.fromkeys(audience_ids))
    audiences = _by_public_id(PageAudience, wanted, "audiences", "audience")
    before = sorted(a.public_id for a in incident.added_audiences)
    incident.added_audiences = audiences
    after = sorted(a.public_id for a in audiences)
    if after != before:
        record(
            "incident.audiences",
            actor=actor,
            obj=incident,
            incident=incident,
            detail={"added": [a.name for a in audiences]},
        )
        public_changed.send(None, incident=incident.public_id)  # its audiences' pages
    db.session.flush()
    return audiences
