"""The README and docs/ link only to files a fresh clone has: inside the repository, existing."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_CODE = re.compile(r"^(```|~~~).*?^\1[^\n]*$|`[^`\n]*`", re.M | re.S)  # no links in code
_LINKS = [
    re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)"),  # [text](target "title")
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M),  # [name]: target
    re.compile(r"\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']"),  # HTML
]
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # https:, mailto:


def links(text: str) -> list[str]:
    """Every link target in a Markdown text, outside code."""
    text = _CODE.sub("", text)
    return [match.group(1) for pattern in _LINKS for match in pattern.finditer(text)]


def broken(document: Path, text: str) -> list[str]:
    """The relative links in ``text``, read at ``document``, that leave the repository or
    lead to no file."""
    out = []
    for target in links(text):
        if _SCHEME.match(target) or target.startswith("#"):
            continue
        path = unquote(re.split(r"[#?]", target, maxsplit=1)[0])
        if path.startswith("/"):
            out.append(f"{target}: an absolute path")
            continue
        resolved = (document.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            out.append(f"{target}: outside the repository")
        elif not resolved.exists():
            out.append(f"{target}: no such file")
    return out


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_stay_in_the_repository_and_lead_somewhere(document):
    assert broken(document, document.read_text(encoding="utf-8")) == []


def test_the_check_sees_links_outside_the_repository_and_missing_files():
    text = (
        "[design](../../shared/DESIGN.md) ![shot](console/none.png) [ok](architecture.md#layers)"
        " [web](https://example.com) [top](#top) `[code](../nowhere.md)` [root](/etc/passwd)"
        "\n\n[ref]: ../../x.md\n"
    )
    assert broken(ROOT / "docs" / "example.md", text) == [
        "../../shared/DESIGN.md: outside the repository",
        "console/none.png: no such file",
        "/etc/passwd: an absolute path",
        "../../x.md: outside the repository",
    ]
