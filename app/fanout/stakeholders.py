"""Internal stakeholder groups: who hears the internal text of which incidents. Creating,
editing and deleting one is audited (its members, and its Slack webhook with the secret part
of the URL hidden): who hears internal text is worth a trace."""

import re
from urllib.parse import urlsplit

from app.audiences.readers import get_audience
from app.core import ServiceError
from app.core.audit import record
from app.core.settings import clean_webhook_url, page_settings
from app.core.text import clean_line
from app.core.users import normalize_email
from app.extensions import db
from app.fanout.sight import group_sees, seen_by
from app.models import Incident, PageAudience, Severity, StakeholderGroup, User
from app.slack import slack_url_problem


def parse_emails(text: str) -> list[str]:
    """Addresses from text separated by commas, semicolons, spaces or lines; de-duplicated."""
    found = []
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        try:
            email = normalize_email(part)
        except ServiceError as exc:
            raise ServiceError(f"{part}: {exc.message}", field="emails") from None
        if email not in found:
            found.append(email)
    return found


def _validate(name: str, emails, min_severity) -> tuple[str, list[str], Severity]:
    name = clean_line(name)
    if not name or len(name) > 120:
        raise ServiceError("Give the group a name of up to 120 characters.", field="name")
    emails = parse_emails(emails if isinstance(emails, str) else " ".join(emails or ()))
    if not emails:
        raise ServiceError("Add at least one member address.", field="emails")
    try:
        severity = Severity(min_severity)
    except ValueError:
        raise ServiceError("Choose a severity from SEV1 to SEV5.", field="min_severity") from None
    return name, emails, severity


def _name_taken(name: str, group_id: int | None) -> bool:
    query = db.select(StakeholderGroup.id).filter_by(name=name)
    if group_id is not None:
        query = query.where(StakeholderGroup.id != group_id)
    return db.session.scalar(query) is not None


def clean_slack_url(url: str | None, *, field: str = "slack_webhook_url") -> str | None:
    """A Slack incoming webhook fit to store (None for blank): https://hooks.slack.com/…, or
    any http(s) host once the admin allows private networks (an on-premise chat server)."""
    if not (url or "").strip():
        return None
    any_host = bool(page_settings().allow_private_outbound)
    problem = slack_url_problem(url, any_host=any_host)
    if problem:
        raise ServiceError(problem, field=field)
    return clean_webhook_url(url, field=field, allow_http=any_host)


def shown_url(url: str | None) -> str | None:
    """A webhook URL fit for the audit log: its scheme and host, and the last four characters
    of its path (enough to tell two apart); the path (Slack's secret) never in full."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…{parts.path[-4:]}"


def _described(group: StakeholderGroup) -> dict:
    return {
        "name": group.name,
        "emails": list(group.emails),
        "min_severity": Severity(group.min_severity).value,
        "slack_webhook_url": shown_url(group.slack_webhook_url),
        "audience": group.audience.name if group.audience else None,
    }


def _audience(public_id: str | None) -> PageAudience | None:
    """The audience a group is tied to ("" or None: none, every incident it meets)."""
    if not public_id:
        return None
    audience = get_audience(public_id)
    if audience is None:
        raise ServiceError("Choose an audience from the list.", field="audience")
    return audience


def create_group(
    *, name: str, emails, min_severity="SEV2", slack_webhook_url=None, audience_id=None,
    actor: User | None = None,
) -> StakeholderGroup:  # fmt: skip
    """Create a stakeholder group (audited as ``actor``), tied to the audience with the public
    id ``audience_id`` if given: told only of what that audience sees."""
    name, emails, severity = _validate(name, emails, min_severity)
    if _name_taken(name, None):
        raise ServiceError(f"There is already a group called {name}.", field="name")
    group = StakeholderGroup(name=name, emails=emails, min_severity=severity,
                             slack_webhook_url=clean_slack_url(slack_webhook_url),
                             audience=_audience(audience_id))  # fmt: skip
    db.session.add(group)
    record("stakeholder_group.create", actor=actor, obj=group, detail=_described(group))
    db.session.flush()
    return group


def update_group(group: StakeholderGroup, *, name: str, emails, min_severity,
                 slack_webhook_url=None, clear_slack=False, audience_id=None,
                 actor: User | None = None) -> StakeholderGroup:  # fmt: skip
    """Change a group's name, members, minimum severity, audience ("" or None: none) or Slack
    webhook (None keeps it); audited as ``actor`` with what changed (members as added and
    removed)."""
    name, emails, severity = _validate(name, emails, min_severity)
    audience = _audience(audience_id)
    if _name_taken(name, group.id):
        raise ServiceError(f"There is already a group called {name}.", field="name")
    before = _described(group)
    url_before = group.slack_webhook_url
    if clear_slack:
        group.slack_webhook_url = None
    elif (slack_webhook_url or "").strip():
        group.slack_webhook_url = clean_slack_url(slack_webhook_url)
    group.name, group.emails, group.min_severity = name, emails, severity
    group.audience = audience
    after = _described(group)
    changed = {
        k: [before[k], after[k]]
        for k in ("name", "min_severity", "audience")
        if before[k] != after[k]
    }
    if before["emails"] != after["emails"]:
        changed["emails"] = {
            "added": [e for e in after["emails"] if e not in before["emails"]],
            "removed": [e for e in before["emails"] if e not in after["emails"]],
        }
    if url_before != group.slack_webhook_url:
        changed["slack_webhook_url"] = [before["slack_webhook_url"], after["slack_webhook_url"]]
    if changed:
        record("stakeholder_group.edit", actor=actor, obj=group, detail=changed)
    db.session.flush()
    return group


def delete_group(group: StakeholderGroup, *, actor: User | None = None) -> None:
    """Remove a group (audited as ``actor``); its members stop getting internal updates."""
    record("stakeholder_group.delete", actor=actor, obj=group, detail=_described(group))
    db.session.delete(group)
    db.session.flush()


def get_group(group_id: int) -> StakeholderGroup | None:
    """The stakeholder group with this id."""
    return db.session.get(StakeholderGroup, group_id)


def list_groups() -> list[StakeholderGroup]:
    """Every group, by name."""
    return list(db.session.scalars(db.select(StakeholderGroup).order_by(StakeholderGroup.name)))


def groups_reached(severity: Severity | str) -> list[StakeholderGroup]:
    """The groups an incident of ``severity`` reaches (its minimum severity met), by name."""
    return [group for group in list_groups() if group.wants(severity)]


def groups_for(incident: Incident) -> list[StakeholderGroup]:
    """The groups told of ``incident``: its severity meets their minimum, and a group tied to
    an audience only of what that audience sees (as its page shows it)."""
    groups = groups_reached(incident.severity)
    if not any(g.audience_id is not None for g in groups):
        return groups
    seen = seen_by(incident)
    return [g for g in groups if group_sees(g, incident, seen)]


def internal_recipients(incident: Incident) -> list[tuple[str, list[str]]]:
    """(address, [group names]) for every member of a group told of the incident."""
    members: dict[str, list[str]] = {}
    for group in groups_for(incident):
        for email in group.emails:
            members.setdefault(email.lower(), []).append(group.name)
    return sorted(members.items())
