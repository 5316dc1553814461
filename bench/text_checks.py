"""How long the checks of every text take on ordinary and hostile texts of the longest size a
text may have (20,000 characters), with a page of 300 components and 200 listed words.

    .venv/bin/python bench/text_checks.py
"""

import time
from datetime import UTC, datetime

from app.messages.checks import TextFacts, check_texts

FACTS = TextFacts(
    statuses={f"C{i}": "major_outage" for i in range(300)},
    public=frozenset(f"C{i}" for i in range(150)),
    due=datetime.now(UTC),
    blocked_words=tuple(f"word{i}" for i in range(200)),
)
TEXTS = {
    "ordinary update": "We are investigating problems with **API**.\n\n"
    "We will post the next update by 2026-12-03 08:44 CET.",
    "'update ' x 2800": "update " * 2800,
    "'- a:' lines x 4000": "- a:\n" * 4000,
    "one 20k word": "x" * 19999,
    "'[' x 19999": "[" * 19999,
    "'[a](' x 4999": "[a](" * 4999,
    "'a-' x 9999": "a-" * 9999,
    "every finding x 230 lines": (
        "Next update by 2026-12-03 08:44 CET. db.internal 10.0.0.1 JIRA-1 C200\n" * 230
    ),
    "'12:00 ' x 3300 after update": "update " + "12:00 " * 3300,
}


def main() -> None:
    for name, text in TEXTS.items():
        start = time.perf_counter()
        found = check_texts({"external": text, "internal": text}, FACTS)
        took = (time.perf_counter() - start) * 1000
        print(f"{name:32} {len(text):6} chars  {took:8.1f} ms  {len(found):3} findings")


if __name__ == "__main__":
    main()
