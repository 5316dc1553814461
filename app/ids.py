"""Numbers from outside (URLs, forms, headers, JSON) parsed in one place, never past the
database's integer range: a bad one is a 404 in a URL and a form error elsewhere, not a 500."""

from werkzeug.routing import IntegerConverter

# PostgreSQL's INTEGER (SQLite's is wider); every id column is one of these.
DB_INT_MAX = 2**31 - 1


def parse_int(value, *, min: int = 0, max: int = DB_INT_MAX) -> int | None:
    """``value`` as an int in [min, max], or None. Only ASCII digits count: ``²`` and ``٣``
    pass ``str.isdigit`` but are not numbers a person typed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text.isascii() or not text.isdigit() or len(text) > len(str(max)):
            return None
        number = int(text)
    return number if min <= number <= max else None


def parse_id(value) -> int | None:
    """A database id from outside, or None when it cannot be one."""
    return parse_int(value, min=1)


def coerce_id(value) -> int:
    """``coerce`` for form fields holding ids: a ValueError becomes the field's error."""
    number = parse_id(value)
    if number is None:
        raise ValueError("Choose from the list.")
    return number


class DbIntConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits within the database's range, else 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
