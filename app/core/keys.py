"""Keyed MACs under SECRET_KEY that survive a rotation: signed with the current key, checked
against it and every key in ``SECRET_KEY_FALLBACKS`` (as Flask does for sessions)."""

import base64
import hashlib
import hmac

from flask import current_app


def signing_keys() -> list[bytes]:
    """The current key first, then the fallbacks (old keys still accepted)."""
    cfg = current_app.config
    return [k.encode() for k in (cfg["SECRET_KEY"], *(cfg.get("SECRET_KEY_FALLBACKS") or ()))]


def short_mac(key: bytes, purpose: bytes, message: str) -> str:
    """22 URL-safe characters (132 bits) of HMAC-SHA256 of ``purpose`` + ``message``."""
    digest = hmac.new(key, purpose + message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def sign(purpose: bytes, message: str) -> str:
    """The MAC of ``message`` under the current key."""
    return short_mac(signing_keys()[0], purpose, message)


def verify(purpose: bytes, message: str, mac: str) -> bool:
    """Whether ``mac`` is the MAC of ``message`` under the current key or a fallback."""
    if not mac.isascii():  # compare_digest refuses non-ASCII str; no real MAC has any
        return False
    found = False
    for key in signing_keys():  # no early exit: the time taken says nothing about which key
        found |= hmac.compare_digest(mac.encode(), short_mac(key, purpose, message).encode())
    return found
