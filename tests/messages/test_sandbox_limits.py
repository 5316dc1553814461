"""The template sandbox bounds what one render may cost: size, time, and no object internals."""

import time

import pytest

from app.core import ServiceError
from app.messages import sandbox
from app.messages.sandbox import MAX_OUTPUT, SAMPLE, check_template, render_text

HUGE = [
    "{{ '%050000000d' % 1 }}",
    "{{ '%.50000000f' % 1 }}",
    "{{ '%*d' % (50000000, 1) }}",
    "{{ '%(a)050000000d' % {'a': 1} }}",
    "{{ (1, 2) * 50000000 }}",
    "{{ [[1] * 9999] * 9999 }}",
    "{{ ('ab',) * 9999 }}",
]


@pytest.mark.parametrize("source", HUGE)
def test_templates_that_build_a_huge_value_in_one_step_are_refused_quickly(ctx, source):
    started = time.monotonic()
    with pytest.raises(ServiceError, match="Not allowed"):
        check_template(source)
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("source", HUGE)
def test_a_stored_huge_template_falls_back_to_its_source(ctx, source):
    assert render_text(source, SAMPLE) == source


@pytest.mark.parametrize("source", ["{{ page_name.format }}", "{{ page_name['upper'] }}"])
def test_no_attribute_or_method_of_a_value_reaches_the_text(ctx, source):
    with pytest.raises(ServiceError):
        check_template(source)
    out = render_text(source, SAMPLE)
    assert out == source and "0x" not in out and "built-in" not in out


def test_indexing_and_small_formatting_still_work(ctx):
    source = "{{ page_name[0] }}{{ page_name[:4] }} {{ '%-6s|%03d' % (state, 7) }} {{ '-' * 5 }}"
    check_template(source)
    assert render_text(source, SAMPLE) == "AAcme identified|007 -----"


def test_output_is_bounded_while_rendering(ctx):
    # Each piece is fine on its own; together they pass the limit, so rendering stops.
    source = "{{ incident_title * 90 }}" * 20
    context = dict(SAMPLE, incident_title="x" * 200)
    with pytest.raises(ServiceError, match=f"longer than {MAX_OUTPUT}"):
        check_template(source)
    assert render_text(source, context) == source


def test_a_render_past_its_deadline_stops(ctx, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_RENDER_SECONDS", -1.0)
    with pytest.raises(ServiceError, match="takes longer than"):
        check_template("{{ state }} and {{ state }}")
    assert render_text("{{ state }} and {{ state }}", SAMPLE) == "{{ state }} and {{ state }}"
