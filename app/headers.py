"""Security headers for every response: Flask's pages and the published artifacts alike.

The only inline code Crier writes is the brand colour's one-line ``<style>``; it is allowed by
its hash, so the policy has no ``'unsafe-inline'`` and an injected script or style never runs.
"""

import base64
import functools
import hashlib
import re

# Exactly the block base.html writes; nothing else inline is ever allowed.
_BRAND_STYLE = re.compile(rb"<style>(:root \{ --brand: #[0-9a-fA-F]{6}; \})</style>")

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@functools.lru_cache(maxsize=256)
def _style_sources(head: bytes) -> str:
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _BRAND_STYLE.finditer(head)
    ]
    return " ".join(["'self'", *hashes])


def content_security_policy(body: bytes, *, framed: bool) -> str:
    """The policy for an HTML ``body``; ``framed`` lets other sites embed the page."""
    end = body.find(b"</head>")
    head = body[:end] if end >= 0 else b""
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {_style_sources(head)}",
        "img-src 'self' https: data:",  # the logo may live on the company's own site
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
    if not framed:
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def security_headers(body, mimetype: str | None, *, framed: bool) -> dict[str, str]:
    """Headers to add to a response; ``body`` (bytes, or a function giving them) is read only
    for a page. Framing is refused unless ``framed``."""
    headers = dict(BASE_HEADERS)
    if mimetype in ("text/html", "image/svg+xml"):
        page = body() if callable(body) else (body or b"")
        headers["Content-Security-Policy"] = content_security_policy(page, framed=framed)
    if not framed:
        headers["X-Frame-Options"] = "DENY"
    return headers
