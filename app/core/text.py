"""Cleaning of every text a person types or imports, at the edge, before it is stored.

A pasted control character (``\\x1b[31m`` from a terminal) or a lone surrogate is valid in a
Python string but not in XML, and not encodable as UTF-8: one such character in a title once
stopped the feeds, and with them the whole public site, from publishing. So every text field
goes through :func:`clean_text` (bodies, descriptions) or :func:`clean_line` (titles, names).
The publishing code uses the same functions again on what it renders, for rows stored before.
"""

import re

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and the two
# noncharacters XML 1.0 refuses (U+FFFE, U+FFFF). Carriage returns are handled before.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile("\r\n?")
_LINE_BREAKS = re.compile("[\t\n\u2028\u2029]+")


def clean_text(value: str | None) -> str:
    """``value`` without control characters (tab and newline stay), line ends as LF."""
    if not value:
        return ""
    return _UNPRINTABLE.sub("", _NEWLINES.sub("\n", str(value)))


def clean_line(value: str | None) -> str:
    """A one-line text (a title, a name): :func:`clean_text`, line breaks and tabs as spaces,
    trimmed."""
    return _LINE_BREAKS.sub(" ", clean_text(value)).strip()


def printable(value):
    """``value`` with every string in it cleaned (dicts and lists walked): for documents
    rendered from rows that may predate the cleaning."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value
