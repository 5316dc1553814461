"""An SVG status badge for READMEs and intranets: "status | All Systems Operational"."""

from markupsafe import escape

COLOURS = {
    "none": "#1a7f37",
    "maintenance": "#0969da",
    "minor": "#9a6700",
    "major": "#cf222e",
    "critical": "#82071e",
}
_TEMPLATE = """<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" \
aria-label="{label}: {text}">
<title>{label}: {text}</title>
<rect width="{left}" height="20" fill="#555"/>
<rect x="{left}" width="{right}" height="20" fill="{colour}"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">
<text x="{left_mid}" y="14">{label}</text>
<text x="{right_mid}" y="14">{text}</text>
</g>
</svg>
"""


def _width(text: str) -> int:
    # Verdana 11px averages about 6.5px a character; the padding keeps short words airy.
    return int(len(text) * 6.5) + 12


def render_badge(indicator: str, description: str, label: str = "status") -> bytes:
    """The badge's SVG bytes for an indicator (none|minor|major|critical|maintenance)."""
    left, right = _width(label), _width(description)
    svg = _TEMPLATE.format(
        total=left + right,
        left=left,
        right=right,
        colour=COLOURS.get(indicator, "#555"),
        left_mid=left / 2,
        right_mid=left + right / 2,
        label=escape(label),
        text=escape(description),
    )
    return svg.encode()
