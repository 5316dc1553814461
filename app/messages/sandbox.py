"""The sandbox that renders message templates: the documented variables, the checks a template
must pass before it is saved, and rendering that never stops an update."""

import re
import time

from flask import current_app
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from app.core import ServiceError

# The variables a template may use, as documented on the templates page.
VARIABLES = {
    "page_name": "the status page's name",
    "incident_title": "the incident's or maintenance's title",
    "severity": "SEV1 to SEV5 (internal)",
    "impact": "none, minor, major or critical",
    "state": "the state of this update, e.g. identified",
    "affected_components": 'the affected components, e.g. "API and Web dashboard"',
    "also_affected": "components outside this incident that are not operational now, e.g. "
    '"Search" (empty when all of them are)',
    "still_affected": "this incident's components that are not operational as the update "
    "leaves them (empty when all of them are)",
    "affected_since": 'the affected components with when each was first affected, e.g. "API '
    '(from 2026-11-23 14:05 CET) and Search (from 2026-11-23 14:20 CET)"',
    "started_at": "when it started, in the page's timezone",
    "resolved_at": "when it was resolved or completed (empty while open)",
    "duration": 'how long it has lasted, e.g. "1 h 05 min"',
    "next_update_at": "when the next update is due, with the timezone (a line that prints it is "
    "left out when none is due); written in an update's text, the server fills it in",
    "postmortem_url": "the postmortem's address, given when posting it (a line that prints it "
    "is left out when there is none)",
    "scheduled_for": "maintenance window start, with the timezone",
    "scheduled_until": "maintenance window end, with the timezone",
    "lead_name": "the Comms Lead's name",
    "commander_name": "the Incident Commander's name",
    "incident_url": "the incident's page on the public site",
}

MAX_OUTPUT = 20_000
MAX_FIELD = 100  # the widest %-format field (width or precision) a message needs
MAX_RENDER_SECONDS = 1.0
_SEQUENCES = str | list | tuple
# A printf-style conversion: flags, width, precision, type (Python's % operator on strings).
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)


class TemplateLimitError(SecurityError):
    """A render went past the size or time a message may take."""


def _check_format(spec: str) -> None:
    """Refuse a %-format whose fields could be huge ("%050000000d" makes 50 MB in one step)."""
    for width, precision, _kind in _CONVERSION.findall(spec):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_FIELD):
                raise SecurityError(f"format fields wider than {MAX_FIELD} are not allowed")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing arithmetic that could make huge values in one step, and
    exposing no attribute or method of any value (``page_name.format`` showed a heap address)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            raise SecurityError("powers are not allowed in templates")
        if operator == "%" and isinstance(left, str):
            _check_format(left)
        if operator == "*" and (isinstance(left, _SEQUENCES) or isinstance(right, _SEQUENCES)):
            seq, count = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
            # The printed size, not len(): [[1] * 9999] * 9999 has len 9999 but prints 300 MB.
            if not isinstance(count, int) or len(str(seq)) * count > MAX_OUTPUT:
                raise SecurityError("that repetition is too long for a message")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj, attribute):
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj, argument):
        if isinstance(obj, _SEQUENCES) and isinstance(argument, int | slice):
            try:
                return obj[argument]
            except IndexError:
                pass
        return self.undefined(obj=obj, name=argument)


_env = _Sandbox(autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined)
_env.globals.clear()  # no range, lipsum, cycler…: templates get the documented variables only


def _unsafe_access(tree) -> nodes.Node | None:
    """The first attribute or item lookup of a private name (Python internals), if any."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        if isinstance(name, str) and name.startswith("_"):
            return node
    return None


# Filters that cannot blow a short text up into a huge one.
SAFE_FILTERS = frozenset(
    {"capitalize", "default", "d", "lower", "title", "trim", "truncate", "upper", "wordcount"}
)
_NO_CONSTRUCTS = (
    (nodes.For, "loops are"),
    (nodes.Macro, "macros are"),
    (nodes.CallBlock, "call blocks are"),
    (nodes.Call, "calling functions or methods is"),
    (nodes.Include, "includes are"),
    (nodes.Import, "imports are"),
    (nodes.FromImport, "imports are"),
    (nodes.Extends, "extends is"),
    # Names bound to names can double a text on every line: no {% set %} or {% with %}.
    (nodes.Assign, "{% set %} is"),
    (nodes.AssignBlock, "{% set %} is"),
    (nodes.With, "{% with %} is"),
    (nodes.Getattr, "attributes and methods (a dot after a name) are"),
)


def _not_allowed(tree) -> str | None:
    """Why the template is refused, for constructs a message never needs (they could make a
    render slow or huge), or None."""
    for kind, what in _NO_CONSTRUCTS:
        node = tree.find(kind)
        if node is not None:
            return f"Line {node.lineno}: {what} not allowed in message templates."
    for node in tree.find_all(nodes.Filter):
        if node.name not in SAFE_FILTERS:
            return (
                f"Line {node.lineno}: the filter {node.name!r} is not allowed; "
                f"use one of {', '.join(sorted(SAFE_FILTERS))}."
            )
    return None


def check_template(source: str, *, field: str = "body") -> None:
    """Raise ServiceError (with the line) unless ``source`` compiles, uses only documented
    variables and reaches for no Python internals."""
    if len(source) > MAX_OUTPUT:
        raise ServiceError(f"Keep a template under {MAX_OUTPUT} characters.", field=field)
    try:
        tree = _env.parse(source)
        _env.compile(tree)  # deep nesting fails here too, not later at render time
    except TemplateSyntaxError as exc:
        raise ServiceError(f"Line {exc.lineno}: {exc.message}", field=field) from None
    except RecursionError:
        raise ServiceError("The template is nested too deeply.", field=field) from None
    unknown = sorted(meta.find_undeclared_variables(tree) - VARIABLES.keys())
    if unknown:
        name = unknown[0]
        line = next(n.lineno for n in tree.find_all(nodes.Name) if n.name == name)
        raise ServiceError(
            f"Line {line}: unknown variable {name!r}. Use one of the documented variables.",
            field=field,
        )
    bad = _unsafe_access(tree)
    if bad is not None:
        raise ServiceError(
            f"Line {bad.lineno}: names starting with an underscore are not allowed.", field=field
        )
    refused = _not_allowed(tree)
    if refused:
        raise ServiceError(refused, field=field)
    try:
        # The longest values the variables take (titles and names stop at 200 characters).
        bounded_render(source, {name: "x" * 200 for name in VARIABLES})
    except SecurityError as exc:
        raise ServiceError(f"Not allowed: {exc}", field=field) from None
    except TemplateError as exc:
        raise ServiceError(f"The template does not render: {exc}", field=field) from None
    except Exception as exc:  # user code: any failure is a form error
        raise ServiceError(f"The template does not render: {exc}", field=field) from None


SAMPLE = {
    "page_name": "Acme Status",
    "incident_title": "Elevated API error rates",
    "severity": "SEV2",
    "impact": "major",
    "state": "identified",
    "affected_components": "API and Web dashboard",
    "also_affected": "",  # the usual case: every other component is operational
    "still_affected": "",
    "affected_since": "API and Web dashboard (from 2026-11-23 14:05 CET)",
    "started_at": "2026-11-23 14:05 CET",
    "resolved_at": "2026-11-23 15:10 CET",
    "duration": "1 h 05 min",
    "next_update_at": "2026-11-23 14:35 CET",
    "scheduled_for": "2026-11-24 02:00 CET",
    "scheduled_until": "2026-11-24 04:00 CET",
    "lead_name": "Lena Lead",
    "commander_name": "Ivan Commander",
    "incident_url": "https://status.example.com/incidents/p31zjtct2jer",
    "postmortem_url": "https://example.com/postmortems/2026-11-23",
}


def preview_template(*, subject: str, body: str) -> tuple[str, str]:
    """Subject and body rendered with sample values, after the same checks as saving."""
    check_template(subject or "", field="subject")
    check_template(body or "", field="body")
    return render_text(subject or "", SAMPLE), render_text(body or "", SAMPLE)


def bounded_render(source: str, context: dict) -> str:
    """Render, stopping (TemplateLimitError) past MAX_OUTPUT characters or the deadline."""
    deadline = time.monotonic() + MAX_RENDER_SECONDS
    out, size = [], 0
    for chunk in _env.from_string(source).generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise TemplateLimitError(f"the text would be longer than {MAX_OUTPUT} characters")
        if time.monotonic() > deadline:
            raise TemplateLimitError(f"the text takes longer than {MAX_RENDER_SECONDS:g} s")
        out.append(chunk)
    return "".join(out)


def render_text(source: str, context: dict) -> str:
    """Render a stored template; a template that fails renders as its own source."""
    try:
        return bounded_render(source, context)
    except Exception:  # a broken template must never stop an update
        current_app.logger.warning("message template failed to render", exc_info=True)
        return source
