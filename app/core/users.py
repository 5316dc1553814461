"""Creating users and checking their passwords."""

import functools
import secrets

from email_validator import EmailNotValidError, validate_email
from werkzeug.security import generate_password_hash

from app.core import ServiceError
from app.core.audit import record
from app.core.settings import clean_webhook_url
from app.core.text import clean_line
from app.extensions import db
from app.models import ApiKey, AuditEvent, Role, User
from app.timefmt import is_valid_timezone

MIN_PASSWORD_LENGTH = 12


@functools.cache
def _dummy_hash() -> str:
    """A real scrypt hash to check when the email is unknown, so a wrong email and a wrong
    password cost the same time and get the same answer."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def normalize_email(email: str) -> str:
    """The address in canonical form, or a ServiceError saying what is wrong with it."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"That email address is not valid: {exc}", field="email") from None


def create_user(
    email: str,
    *,
    password: str,
    name: str = "",
    role: Role | str = Role.viewer,
    timezone="UTC",
    actor: User | None = None,
) -> User:
    """Create a user with a scrypt-hashed password (audited when an admin does it)."""
    email = normalize_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise ServiceError(f"Role must be one of {', '.join(Role)}.", field="role") from None
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if not is_valid_timezone(timezone):
        raise ServiceError(f"Unknown timezone {timezone!r}.", field="timezone")
    if db.session.scalar(db.select(User.id).filter_by(email=email)):
        raise ServiceError(f"A user with the address {email} already exists.", field="email")
    user = User(
        email=email, name=clean_line(name) or email.split("@")[0], role=role, timezone=timezone
    )
    user.set_password(password)
    db.session.add(user)
    if actor is not None:
        record("user.create", actor=actor, obj=user, detail={"role": role.value})
    db.session.flush()
    return user


def change_user(user: User, *, actor: User, role: Role | str, active: bool) -> User:
    """Change someone's role or switch their access off; nobody can lock themselves out."""

    try:
        role = Role(role)
    except ValueError:
        raise ServiceError(f"Role must be one of {', '.join(Role)}.", field="role") from None
    if user.id == actor.id and (role != user.role or not active):
        raise ServiceError("You cannot change your own role or access.", field="role")
    if db.session.scalar(db.select(ApiKey.id).filter_by(user_id=user.id)):
        raise ServiceError("That is an API key; manage it under Settings → API keys.", field="role")
    before = {"role": user.role.value, "active": user.active}
    if (role, active) != (user.role, user.active):
        user.end_sessions()  # the person signs in again and gets what they may do now
    user.role, user.active = role, active
    record(
        "user.change",
        actor=actor,
        obj=user,
        detail={"before": before, "after": {"role": role.value, "active": active}},
    )
    db.session.flush()
    return user


def sign_out(user: User) -> None:
    """End every session of ``user``: old cookies no longer open the console."""
    user.end_sessions()
    db.session.flush()


def get_user(user_id: int) -> User | None:
    """The user with this id."""
    return db.session.get(User, user_id)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same cost either way)."""
    user = db.session.scalar(db.select(User).filter_by(email=(email or "").strip().lower()))
    if user is None or not user.active:
        User(password_hash=_dummy_hash()).check_password(password or "")
        return None
    return user if user.check_password(password or "") else None


def list_users(*, min_role: Role | str = Role.viewer) -> list[User]:
    """Active users holding ``min_role`` or a stronger one, by name."""
    users = db.session.scalars(db.select(User).filter_by(active=True).order_by(User.name))
    return [u for u in users if u.can(min_role)]


def all_users() -> list[User]:
    """Everyone, active first, by name (API keys act as users of their own; not listed)."""
    people = db.select(User).where(User.id.not_in(db.select(ApiKey.user_id)))
    return list(db.session.scalars(people.order_by(User.active.desc(), User.name)))


def update_profile(user: User, *, timezone: str, slack_webhook_url: str | None = None) -> User:
    """A person's own settings: their timezone and where their reminders also go. For the
    webhook None keeps the stored one and "" removes it (forms never show it back)."""
    timezone = (timezone or "").strip() or "UTC"
    if not is_valid_timezone(timezone):
        raise ServiceError(f"Unknown timezone {timezone!r}; use a name like Europe/Berlin.",
                           field="timezone")  # fmt: skip
    hook = user.slack_webhook_url
    if slack_webhook_url is not None:
        hook = clean_webhook_url(slack_webhook_url, field="slack_webhook_url")
    user.timezone, user.slack_webhook_url = timezone, hook
    db.session.add(
        AuditEvent(actor_id=user.id, action="user.profile", object_type="user",
                   object_id=str(user.id),
                   detail={"webhook": bool(user.slack_webhook_url), "timezone": timezone})
    )  # fmt: skip
    db.session.flush()
    return user


def user_by_email(email: str) -> User | None:
    """The user with this address (any case, control characters ignored), else None."""
    return db.session.scalar(db.select(User).filter_by(email=clean_line(email).lower()))
