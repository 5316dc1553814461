"""Reading request bodies and query strings: the wrapped object (``{"incident": {...}}``), its
fields checked by type, so a wrong type is a 400 naming the field and never reaches a verb."""

import re
from datetime import UTC, datetime

from flask import abort, request

MAX_LIMIT = 100
MIN_YEAR, MAX_YEAR = 1970, 2999
# Crier's public ids; anything else names nothing (and a NUL never reaches PostgreSQL).
_PUBLIC_ID = re.compile(r"[0-9a-z]{1,40}")


def is_id(value) -> bool:
    """Whether ``value`` could be a public id (components, groups, incidents, updates)."""
    return isinstance(value, str) and _PUBLIC_ID.fullmatch(value) is not None


def json_body():
    """The parsed JSON body, None if it is not JSON; 400 if nested past Python's stack."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, description="The JSON is nested too deeply.")


def wrapped(name: str) -> dict:
    """The object under ``name`` in a JSON body (or the body itself if unwrapped)."""
    data = json_body()
    if not isinstance(data, dict):
        abort(400, description=f'Send a JSON object like {{"{name}": {{...}}}}.')
    inner = data.get(name, data)
    if not isinstance(inner, dict):
        abort(400, description=f"“{name}” must be a JSON object.")
    return inner


def text(obj: dict, key: str, *, max_len: int = 20_000) -> str | None:
    """A string field, None if absent or null."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        abort(400, description=f"“{key}” must be a string.")
    if len(value) > max_len:
        abort(422, description=f"“{key}” is longer than {max_len} characters.")
    return value


def flag(obj: dict, key: str) -> bool | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):  # form-encoded clients send booleans as text
        return value == "true"
    abort(400, description=f"“{key}” must be true or false.")


def id_list(obj: dict, key: str) -> list[str] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        abort(400, description=f"“{key}” must be a list of id strings.")
    unknown = [v for v in value if not is_id(v)]
    if unknown:
        abort(422, description=f"There is no component {unknown[0][:40]!r}.")
    if len(value) > 1000:
        abort(422, description=f"“{key}” lists too many ids.")
    return value


def status_map(obj: dict, key: str = "components") -> dict[str, str] | None:
    """``{"<component id>": "<status>"}``."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        abort(400, description=f"“{key}” must map component ids to status strings.")
    unknown = [k for k in value if not is_id(k)]
    if unknown:
        abort(422, description=f"There is no component {unknown[0][:40]!r}.")
    if len(value) > 1000:
        abort(422, description=f"“{key}” lists too many components.")
    return value


def when(obj: dict, key: str) -> datetime | None:
    """An ISO 8601 time with its offset (``Z`` accepted)."""
    value = text(obj, key, max_len=64)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        abort(400, description=f"“{key}” must be an ISO 8601 time, like 2026-11-30T10:00:00Z.")
    if parsed.tzinfo is None:
        abort(400, description=f"“{key}” needs its timezone, like 2026-11-30T10:00:00Z.")
    try:
        parsed = parsed.astimezone(UTC)  # year 1 at +14:00 is before year 1 in UTC
    except OverflowError:
        parsed = None
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        abort(422, description=f"“{key}” must be between {MIN_YEAR} and {MAX_YEAR}.")
    return parsed


def paging() -> tuple[int, int]:
    """(limit, page) from the query: limit 1..100 (default 100), page from 1."""
    return _positive("limit", MAX_LIMIT, cap=MAX_LIMIT), _positive("page", 1, cap=1_000_000)


def _positive(name: str, default: int, *, cap: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7 or int(raw) < 1:
        abort(400, description=f"“{name}” must be a whole number from 1.")
    return min(int(raw), cap)
