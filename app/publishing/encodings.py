"""Content codings of published artifacts: compressed once at publish, picked per request.

Each text artifact is stored with its gzip and brotli bytes beside the identity bytes, so no
web process, mirror or export ever compresses on the read path. A request's Accept-Encoding
(RFC 9110 §12.5.3) is turned into an order of preference once per distinct header value.
"""

import gzip
import re
from typing import NamedTuple

import brotli

IDENTITY = "identity"
CODINGS = ("br", "gzip")  # the codings Crier stores, smallest first: preferred at equal q
SUFFIX = {"gzip": "gz", "br": "br"}  # the exported file's suffix and the ETag's
# Measured on the demo status page (138 KB): gzip 9 and brotli 5 cost ~0.7 ms each, brotli 11
# costs 33 ms, too much for a publish that must stay within its per-change budget.
GZIP_LEVEL = 9
BROTLI_QUALITY = 5
MIN_SIZE = 256  # smaller bodies save less than the Content-Encoding and Vary headers cost
_TEXT = ("application/json", "application/xml", "application/javascript", "image/svg+xml")
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")
_UNLISTED_IDENTITY = 0.0001  # acceptable by default, after any coding the client listed
_MAX_REMEMBERED = 512  # distinct Accept-Encoding values kept parsed; clients send a handful


def compressible(mimetype: str) -> bool:
    """Whether responses of ``mimetype`` are text Crier stores compressed (and so vary)."""
    return mimetype.startswith("text/") or mimetype in _TEXT or mimetype.endswith("+xml")


def compress(body: bytes, mimetype: str) -> dict[str, bytes]:
    """``{coding: bytes}`` for each coding that makes ``body`` smaller; none for a tiny body
    or one that is not text. Deterministic (no gzip timestamp): same body, same bytes."""
    if len(body) < MIN_SIZE or not compressible(mimetype):
        return {}
    forms = {
        "br": brotli.compress(body, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY),
        "gzip": gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
    }
    return {coding: data for coding, data in forms.items() if len(data) < len(body)}


class Encoded(NamedTuple):
    """An artifact's bytes in each coding; ``gzip``/``br`` None when not worth storing."""

    body: bytes
    gzip: bytes | None = None
    br: bytes | None = None

    @classmethod
    def of(cls, row) -> "Encoded":
        """The encodings a stored row (``body``, ``body_gzip``, ``body_br``) holds."""
        return cls(row.body, row.body_gzip, row.body_br)

    def files(self, name: str) -> dict[str, bytes | None]:
        """``{file name: bytes}`` for the identity file and its ``.gz``/``.br`` siblings;
        None for a sibling this artifact lacks (a stale one must go)."""
        return {name: self.body, f"{name}.gz": self.gzip, f"{name}.br": self.br}


def encode(body: bytes, content_type: str) -> Encoded:
    """``body`` with its compressed forms, for storing (see ``compress``)."""
    forms = compress(body, content_type.split(";")[0].strip())
    return Encoded(body, forms.get("gzip"), forms.get("br"))


_remembered: dict[str | None, tuple[str, ...]] = {}


def preferences(accept_encoding: str | None) -> tuple[str, ...]:
    """The codings ``accept_encoding`` allows, most preferred first (``identity`` among them
    unless refused); remembered per header value, so a request costs a dictionary lookup."""
    found = _remembered.get(accept_encoding)
    if found is None:
        if len(_remembered) >= _MAX_REMEMBERED:
            _remembered.clear()
        found = _remembered[accept_encoding] = _parse(accept_encoding)
    return found


def _parse(header: str | None) -> tuple[str, ...]:
    if header is None:  # no preference: the identity bytes, as before compression existed
        return (IDENTITY,)
    weights: dict[str, float] = {}
    for member in header.split(","):
        name, *params = (piece.strip() for piece in member.split(";"))
        name = "gzip" if name.lower() == "x-gzip" else name.lower()
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = float(value) if _QVALUE.fullmatch(value.strip()) else -1.0
        if name and q >= 0 and name not in weights:  # a malformed member says nothing
            weights[name] = q
    star = weights.get("*")
    order = {coding: weights.get(coding, star or 0.0) for coding in CODINGS}
    unlisted = star if star is not None else _UNLISTED_IDENTITY
    order[IDENTITY] = weights.get(IDENTITY, unlisted)
    ranked = sorted((coding for coding, q in order.items() if q > 0), key=lambda c: -order[c])
    return tuple(ranked)
