"""The one set of checks every text goes through before anyone reads it (the console's preview
and submit, every /api/v1 write), and the template editor's warnings.

A text is checked line by line against the facts it will be read with (``TextFacts``: the
component statuses as the update leaves them, the due time, the private component names, the
page's words and ticket pattern). A blocking finding must be fixed; a warning may be accepted by
its ``key`` (the acceptance is audited by the caller)."""

import hashlib
import ipaddress
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import meta

from app.messages.sandbox import _env
from app.models import IncidentKind, State
from app.models.settings import DEFAULT_TICKET_PATTERN
from app.timefmt import format_local, zone

_CLOSING = {State.resolved, State.postmortem, State.completed, State.cancelled}
_OPEN_WITH_CADENCE = {State.investigating, State.identified, State.monitoring}

MAX_FINDINGS = 50  # per text
# The placeholder the server fills, at posting time, with the incident's one due time.
NEXT_UPDATE_TOKEN = re.compile(r"\{\{\s*next_update_at\s*\}\}")


@dataclass(frozen=True)
class TextFacts:
    """What a text is checked against. ``statuses``: {component name: status} for every
    component as the update leaves it; ``public``: the names the public may read;
    ``affected``: the incident's own components (what "other services" excludes)."""

    statuses: Mapping[str, str] = field(default_factory=dict)
    public: frozenset[str] = frozenset()
    affected: frozenset[str] = frozenset()
    due: datetime | None = None
    timezone: str = "UTC"
    blocked_words: tuple[str, ...] = ()
    ticket_pattern: str | None = DEFAULT_TICKET_PATTERN


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one line of one text."""

    code: str
    audience: str
    line: int
    text: str
    message: str
    blocking: bool
    promised: datetime | None = None  # a promise finding: the time the text gives

    @property
    def key(self) -> str:
        """What accepting this warning names: the check, the text and the line's words."""
        raw = f"{self.code}|{self.audience}|{self.text.strip()}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def __str__(self) -> str:
        where = "Public" if self.audience == "external" else "Internal"
        return f"{where} text, line {self.line} (“{_short(self.text)}”): {self.message}"


def _short(line: str, limit: int = 60) -> str:
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- unfilled lines and empty links ---------------------------------------------------------

_LABEL = re.compile(r"^(\s*)((?:[-*+]|\d+[.)])\s+)?([^:\n]{1,80}):\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# Bounded repeats: a hostile line of 20,000 "[" must not take quadratic time.
_EMPTY_LINK = re.compile(
    r"\[[^\]\n]{0,500}+\]\(\s{0,20}+(?:https?:)?(?://)?\s{0,20}+\)|\]\(\s*+<\s*+>\s*+\)"
)
# Possessive repeats: the address and the title cannot trade characters (no backtracking).
_LINK = re.compile(r"\[[^\]\n]{0,500}+\]\(\s{0,20}+([^)\s]{0,2000}+)(?:\s[^)\n]{0,500}+)?\)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _next_filled(lines: list[str]) -> list[int | None]:
    """For each line, the index of the next line that is not blank (None at the end)."""
    out: list[int | None] = [None] * len(lines)
    after = None
    for i in range(len(lines) - 1, -1, -1):
        out[i] = after
        if lines[i].strip():
            after = i
    return out


def _unfilled(lines: list[str], i: int, next_filled: int | None) -> bool:
    """A label with nothing after it ("- Cause:", "What changed:") and nothing under it."""
    match = _LABEL.match(lines[i])
    if not match or "://" in lines[i]:
        return False
    following = None if next_filled is None else lines[next_filled]
    if following is None:
        return True
    adjacent = i + 1 < len(lines) and lines[i + 1].strip() != ""
    nested = _indent(following) > _indent(lines[i])
    if match.group(2):  # a list item: only a nested list fills it
        return not nested
    # A paragraph label is filled by what follows it directly (a list, or its sentence).
    return not (nested or (adjacent and not _LABEL.match(following)))


def _link_is_dead(url: str) -> bool:
    """An address that is only its scheme, or a web address without a whole host."""
    if not re.match(r"^(?:https?:|//)", url, re.IGNORECASE):
        return False
    return not re.match(r"^(?:https?:)?//[^/\s.]+\.[^/\s]+", url, re.IGNORECASE)


# --- claims that contradict the component states ------------------------------------------

_CLAIMS = re.compile(
    r"\b(?:working|operating|running|functioning|performing) (?:normally|as (?:expected|usual))"
    r"|\ball (?:systems|services|components) (?:are )?(?:operational|up|working)"
    r"|\bfully (?:operational|recovered|restored)|\bback to normal\b|\bno (?:longer any )?impact\b",
    re.IGNORECASE,
)
_OTHERS = re.compile(r"\b(?:other|remaining|rest of)\b", re.IGNORECASE)


def _words(status: str) -> str:
    return status.replace("_", " ")


# --- promised times -----------------------------------------------------------------------

_UPDATE = re.compile(r"\bupdate\b", re.IGNORECASE)
_TIME = re.compile(
    r"(?:(?P<date>\d{4}-\d{2}-\d{2})[ T])?\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)"
    r"(?!:?\d)(?:\s?(?P<ampm>[AaPp]\.?[Mm]\.?))?(?:\s(?-i:(?P<zone>[A-Z]{2,5}\b)))?",
    re.IGNORECASE,
)


def _promises(line: str):
    """The times a line gives after the word "update" (the promise of the next one)."""
    said = _UPDATE.search(line)
    if said is None:
        return []
    return list(itertools.islice(_TIME.finditer(line, said.end()), MAX_FINDINGS))


_UTC_NAMES = {"UTC", "GMT", "Z"}


def _promised(match, facts: TextFacts) -> datetime | None:
    """The time a promise gives (the due time's date when it gives none), in the page's
    timezone or in UTC when it says so; None when it names another zone."""
    page = zone(facts.timezone)
    base = facts.due or datetime.now(page)
    name = match.group("zone")
    abbreviation = format_local(base, facts.timezone).split()[-1]
    if name and name != abbreviation and name not in _UTC_NAMES:
        return None
    tz = zone("UTC") if name in _UTC_NAMES and name != abbreviation else page
    hour, minute = int(match.group("h")), int(match.group("m"))
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    local = base.astimezone(tz)
    if match.group("date"):
        try:
            local = datetime.strptime(match.group("date"), "%Y-%m-%d").replace(tzinfo=tz)
        except ValueError:
            return None
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _promise_findings(audience, number, line, facts: TextFacts) -> list[Finding]:
    found = []
    for match in _promises(line):
        when = _promised(match, facts)
        if when is None:
            continue
        due = facts.due
        if due is None:
            message = "it promises a next update, but none is due in this state; remove the time."
        elif when == due.replace(second=0, microsecond=0):
            continue
        else:
            due_words = format_local(due, facts.timezone)
            message = (
                f"it promises {format_local(when, facts.timezone)}, but the next update is due "
                f"{due_words}. Choose which one holds, or write {{{{ next_update_at }}}} and "
                "the due time is filled in when it is posted."
            )
        found.append(Finding("promise", audience, number, line, message, True, when))
    return found


# --- things that should not reach customers -----------------------------------------------

_HOSTNAME = re.compile(
    r"\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,8}\.(?:internal|corp|local|lan|intranet|"
    r"localdomain|private|home\.arpa)\b",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.IGNORECASE)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _any_of(names) -> tuple[re.Pattern | None, dict[str, str]]:
    """One pattern for whole-word mentions of any of ``names`` (any case), and the names by
    their lower case."""
    by_lower = {n.lower(): n for n in names if n.strip()}
    if not by_lower:
        return None, {}
    words = "|".join(re.escape(n) for n in sorted(by_lower, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE), by_lower


def _leaks(audience, number, line, facts: TextFacts, names) -> list[Finding]:
    found = []

    def warn(code, message, blocking=False):
        found.append(Finding(code, audience, number, line, message, blocking))

    (private, private_names), (words, listed) = names
    for match in private.finditer(line) if private else ():
        name = private_names[match.group(0).lower()]
        warn("private", f"it names “{name}”, a component the public page does not show.", True)
        break
    for match in words.finditer(line) if words else ():
        word = listed[match.group(0).lower()]
        warn("word", f"“{word}” is on the page's list of words customers must not read.", True)
        break
    host = _HOSTNAME.search(line)
    if host:
        warn("hostname", f"“{host.group(0)}” looks like an internal hostname.")
    for match in (*_IPV4.finditer(line), *_IPV6.finditer(line)):
        if _is_ip(match.group(0)):
            warn("ip", f"“{match.group(0)}” is an IP address.")
            break
    if facts.ticket_pattern:
        try:
            ticket = re.search(facts.ticket_pattern, line)
        except re.error:
            ticket = None
        if ticket:
            warn("ticket", f"“{ticket.group(0)}” looks like an internal ticket id.")
    return found


# --- the checks ---------------------------------------------------------------------------


def check_text(text: str, *, audience: str, facts: TextFacts) -> list[Finding]:
    """Every finding in one text (``audience``: external, the public text, or internal)."""
    lines = (text or "").splitlines()
    public = audience == "external"
    down = {
        name: status
        for name, status in facts.statuses.items()
        if status != "operational" and (not public or name in facts.public)
    }
    public_lower = {p.lower() for p in facts.public}
    names = (
        _any_of(n for n in set(facts.statuses) - facts.public if n.lower() not in public_lower),
        _any_of(facts.blocked_words),
    )
    next_filled = _next_filled(lines)
    found = []
    for i, line in enumerate(lines):
        if len(found) >= MAX_FINDINGS:  # enough to fix; a hostile text gets no more work
            break
        number = i + 1

        def add(code, message, blocking, line=line, number=number):
            found.append(Finding(code, audience, number, line, message, blocking))

        if _unfilled(lines, i, next_filled[i]):
            add("unfilled", "the line is empty after its label; fill it in or remove it.", True)
        if "](" in line and (
            _EMPTY_LINK.search(line) or any(_link_is_dead(u) for u in _LINK.findall(line))
        ):
            add("link", "a link has no address (or not a whole one); give the URL.", True)
        claim = _CLAIMS.search(line)
        # "Other services are working normally" speaks of the components outside the incident.
        meant = (
            {n: s for n, s in down.items() if n not in facts.affected}
            if claim and _OTHERS.search(line[: claim.start()])
            else down
        )
        if claim and meant:
            name, status = next(iter(meant.items()))
            add(
                "claim",
                f"it says “{claim.group(0)}”, but {name} is in {_words(status)}.",
                False,
            )
        found.extend(_promise_findings(audience, number, line, facts))
        if public:
            found.extend(_leaks(audience, number, line, facts, names))
    return found[:MAX_FINDINGS]


def check_texts(texts: Mapping[str, str], facts: TextFacts) -> list[Finding]:
    """The findings of both texts ({"external": …, "internal": …}), external first."""
    found = []
    for audience in ("external", "internal"):
        found.extend(check_text(texts.get(audience) or "", audience=audience, facts=facts))
    return found


def fill_next_update(text: str, due: datetime | None, timezone: str) -> str:
    """The text with each {{ next_update_at }} replaced by the due time (left when none)."""
    if due is None or not text:
        return text
    return NEXT_UPDATE_TOKEN.sub(format_local(due, timezone), text)


def rewrite_promise(text: str, finding: Finding, due: datetime, timezone: str) -> str:
    """The text with the promised time on the finding's line replaced by the due time."""
    lines = text.splitlines()
    index = finding.line - 1
    if not 0 <= index < len(lines):
        return text
    facts = TextFacts(due=due, timezone=timezone)

    def swap(match):
        if _promised(match, facts) != finding.promised:
            return match.group(0)
        start = match.start("date") if match.group("date") else match.start("h")
        end = match.end("zone") if match.group("zone") else match.end()
        head = match.group(0)[: start - match.start()]
        return head + format_local(due, timezone) + match.group(0)[end - match.start() :]

    line = lines[index]
    for match in reversed(_promises(line)):
        line = line[: match.start()] + swap(match) + line[match.end() :]
    lines[index] = line
    return "\n".join(lines)


# --- the template editor ------------------------------------------------------------------


def _empty_when(name: str, kind: IncidentKind, state: State) -> str | None:
    if name == "resolved_at" and state not in _CLOSING:
        return f"it is empty until the {kind} is closed"
    if name in ("scheduled_for", "scheduled_until") and kind == IncidentKind.incident:
        return "incidents have no schedule, so it is always empty"
    if name == "next_update_at" and state not in _OPEN_WITH_CADENCE:
        return f"no update is due in the {state.replace('_', ' ')} state"
    if name == "postmortem_url" and state != State.postmortem:
        return "only a postmortem is given an address"
    return None


def empty_variable_warnings(source: str, *, kind, state) -> list[str]:
    """One sentence per variable in ``source`` that can be empty (or meaningless) for a
    template of ``kind`` in ``state``; [] when the template does not parse or all is well."""
    try:
        kind, state = IncidentKind(kind), State(state)
        names = meta.find_undeclared_variables(_env.parse(source or ""))
    except Exception:  # the save's own checks report a template that does not parse
        return []
    warnings = []
    for name in sorted(names):
        why = _empty_when(name, kind, state)
        if why:
            state_words = state.replace("_", " ")
            warnings.append(f"{{{{ {name} }}}} for {kind}s in the {state_words} state: {why}.")
    return warnings
