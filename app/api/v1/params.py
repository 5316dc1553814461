"""Path and query parameters: public ids in URLs, and paging. Request bodies are checked
against the OpenAPI document instead (app.api.v1.validation)."""

import re

from flask import abort, request

MAX_LIMIT = 100
# Crier's public ids; anything else names nothing (and a NUL never reaches PostgreSQL).
PUBLIC_ID = r"[0-9a-z]{1,40}"
_PUBLIC_ID = re.compile(PUBLIC_ID)


def is_id(value) -> bool:
    """Whether ``value`` could be a public id (components, groups, incidents, updates)."""
    return isinstance(value, str) and _PUBLIC_ID.fullmatch(value) is not None


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
