"""Path and query parameters: public ids in URLs, and paging. Request bodies are checked
against the OpenAPI document instead (app.api.v1.validation)."""

import re

from flask import abort, request

from app.core.text import clean_line

MAX_LIMIT, MAX_PAGE = 100, 1000
MAX_SEARCH = 200
# Crier's public ids; anything else names nothing (and a NUL never reaches PostgreSQL).
PUBLIC_ID = r"[0-9a-z]{1,40}"
_PUBLIC_ID = re.compile(PUBLIC_ID)


def is_id(value) -> bool:
    """Whether ``value`` could be a public id (components, groups, incidents, updates)."""
    return isinstance(value, str) and _PUBLIC_ID.fullmatch(value) is not None


def paging() -> tuple[int, int]:
    """(limit, page) from the query: limit 1..100 (default 100), page 1..1000 (default 1)."""
    return _number("limit", MAX_LIMIT, most=MAX_LIMIT), _number("page", 1, most=MAX_PAGE)


def per_page() -> int:
    """Statuspage's ``per_page`` (1..100, default 100), or ``limit`` where it is not given."""
    if request.args.get("per_page") in (None, ""):
        return paging()[0]
    return _number("per_page", MAX_LIMIT, most=MAX_LIMIT)


def _number(name: str, default: int, *, most: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= most):
        abort(400, description=f"“{name}” must be a whole number from 1 to {most}.")
    return int(raw)


def search(*, most: int = MAX_SEARCH) -> str:
    """The ``q`` search text, cleaned; a 400 past ``most`` characters."""
    raw = request.args.get("q", "")
    if len(raw) > most:
        abort(400, description=f"“q” is longer than {most} characters.")
    return clean_line(raw)
