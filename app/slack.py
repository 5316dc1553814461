"""Slack Block Kit messages: pure functions, no I/O, nothing of the app imported (the fan-out
and the reminders both build them, and neither may import the other).

User text is escaped as Slack asks (``&``, ``<``, ``>``), so no text can ping ``<!channel>``
or forge a link, and every piece is cut to Block Kit's limits.
"""

from urllib.parse import urlsplit

HEADER_LIMIT = 150  # plain_text in a header block
TEXT_LIMIT = 3000  # mrkdwn text of a section
FIELD_LIMIT = 2000  # each field of a section
FALLBACK_LIMIT = 3000
SLACK_HOSTS = ("hooks.slack.com",)


def escape(text: str | None) -> str:
    """Slack's three control characters, escaped; nothing else is touched."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_escaped(text: str | None, limit: int) -> str:
    """Escape, then cut without splitting an entity such as ``&amp;``."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    head = escaped[: limit - 1]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + "…"


def message(
    *,
    title: str,
    text: str,
    facts: list[tuple[str, str]],
    link: str | None,
    link_label: str = "Open the incident",
    fallback: str | None = None,
) -> dict:
    """A Block Kit payload: header (title), fields (state, severity, next update…), the text,
    a link button; ``text`` is the plain fallback for notifications and old clients."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(title or "-", HEADER_LIMIT)}}
    ]
    fields = [
        {"type": "mrkdwn", "text": _cut_escaped(f"{name}: {value}", FIELD_LIMIT)}
        for name, value in facts[:10]  # Slack allows ten fields
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    if (text or "").strip():
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut_escaped(text, TEXT_LIMIT)}}
        )
    if link:
        button = {"type": "button", "text": {"type": "plain_text", "text": link_label}}
        blocks.append({"type": "actions", "elements": [{**button, "url": link[:3000]}]})
    plain = fallback or (
        " · ".join([title, *(f"{n}: {v}" for n, v in facts)]) + ("\n" + text if text else "")
    )
    return {"text": _cut_escaped(plain, FALLBACK_LIMIT), "blocks": blocks}


def slack_url_problem(url: str, *, any_host: bool) -> str | None:
    """Why ``url`` is not a Slack incoming webhook we accept, or None: https on
    hooks.slack.com, or any https/http host once an admin allows private/custom servers."""
    parts = urlsplit((url or "").strip())
    if any_host:
        return (
            None
            if parts.scheme in ("https", "http") and parts.hostname
            else ("A Slack webhook must be an https:// URL.")
        )
    if parts.scheme != "https" or (parts.hostname or "").lower() not in SLACK_HOSTS:
        return "A Slack webhook must be an https://hooks.slack.com/… URL."
    return None
