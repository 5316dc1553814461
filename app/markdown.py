"""Update text is Markdown: rendered to sanitised HTML for pages, feeds and email."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# No raw HTML from authors; links and emphasis are what an update needs.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "blockquote", "h3", "h4",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML that is safe to put in any page, feed or email."""
    html = _md.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean.strip())  # noqa: S704 - sanitised by nh3 just above


def markdown_to_text(text: str | None) -> str:
    """A plain-text version for email: the Markdown without its markup, links kept."""
    out = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", text or "")
    out = re.sub(r"(\*\*|__|`)", "", out)
    out = re.sub(r"(?m)^#{1,6}\s*", "", out)
    return out.strip()
