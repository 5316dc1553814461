"""Ids and numbers from outside never reach the database unparsed: a 404 or a 422, never a 500."""

import pytest

from app.ids import DB_INT_MAX, parse_id, parse_int

HUGE = "9" * 25


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("\u0663", None), (HUGE, None), ("-1", None), ("0", None),
     (str(DB_INT_MAX), DB_INT_MAX), (str(DB_INT_MAX + 1), None), (None, None), (True, None),
     (5, 5), ("1e3", None), ("", None)],
)  # fmt: skip
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_parse_int_has_bounds():
    assert parse_int("0") == 0 and parse_int("61", min=1, max=60) is None
