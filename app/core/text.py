"""Cleaning of every text a person types or imports, at the edge, before it is stored.

A pasted control character (``\\x1b[31m`` from a terminal) or a lone surrogate is valid in a
Python string but not in XML, and not encodable as UTF-8: one such character in a title once
stopped the feeds, and with them the whole public site, from publishing. So every text field
goes through :func:`clean_text` (bodies, descriptions) or :func:`clean_line` (titles, names).
The publishing code uses the same functions again on what it renders, for rows stored before.

A one-line text also loses the bidirectional overrides and isolates (U+202A to U+202E,
U+2066 to U+2069): one of them in a title makes what follows it read backwards, so
"Refund\u202egpj.exe" shows as "Refundexe.jpg". Right-to-left text itself needs none of them.
"""

import re

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and the two
# noncharacters XML 1.0 refuses (U+FFFE, U+FFFF). Carriage returns are handled before.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n]+")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None) -> str:
    """``value`` without control characters (tab and newline stay), line ends (and the
    Unicode line and paragraph separators) as LF."""
    if not value:
        return ""
    return _UNPRINTABLE.sub("", _NEWLINES.sub("\n", str(value)))


def clean_line(value: str | None) -> str:
    """A one-line text (a title, a name): :func:`clean_text`, line breaks and tabs as spaces,
    no bidirectional overrides, trimmed."""
    return _LINE_BREAKS.sub(" ", _BIDI_CONTROLS.sub("", clean_text(value))).strip()


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
