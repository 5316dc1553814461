"""Hostile input for the forms: strategies, raw form bodies and the "changed nothing" check."""

from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.extensions import db, limiter

# A few dozen examples per form keeps every file well under a minute; no example database,
# so a run leaves nothing behind in the worktree.
FORMS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that broke forms elsewhere: ids and numbers, dates at the edges, controls.
NASTY = [
    "",
    " ",
    "\x00",
    "\r\n",
    "\u202e",
    "9" * 25,
    "-" + "9" * 25,
    "²",
    "٣",
    "-1",
    "0",
    "1e400",
    "NaN",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2024-02-30T10:00",
    "2024-13-01T00:00",
    "1-01-01T00:00",
    "99999-01-01T00:00",
    "\ud800",
    "\udfff\ud800",
    "{{7*7}}",
    "{% for x in range(999999999) %}x{% endfor %}",
    "<script>alert(1)</script>",
    "true",
    "[]",
    "{}",
]

# Every code point, lone surrogates and controls included.
ANY_CHAR = st.characters(exclude_categories=())


# Huge values, a few MB of cheap characters and smaller runs of characters that cost the
# parser most (each is three percent-escapes on the wire), built once.
HUGE = [
    "x" * 3_000_000,
    "<b>" * 400_000,
    "é" * 300_000,
    "\x00" * 100_000,
    "\ud800" * 50_000,
    "\u202e" * 50_000,
]


def hostile_text():
    """Arbitrary Unicode or the nasty values above (huge ones come from ``with_huge``)."""
    return st.one_of(
        st.text(ANY_CHAR, max_size=300),
        st.sampled_from(NASTY),
    )


def field(*good):
    """A field's value: one of the good ones, hostile text, missing, or sent twice."""
    value = st.one_of(st.sampled_from(good), hostile_text()) if good else hostile_text()
    return st.one_of(
        value,
        value,
        st.just(MISSING),
        st.lists(value, min_size=2, max_size=3),
    )


MISSING = object()


def with_huge(data, values: dict) -> dict:
    """Half the time, one field (at most: each costs the parser up to a second) is huge."""
    names = [name for name in values if name != "csrf_token"]
    if names and data.draw(st.booleans(), label="huge?"):
        name = data.draw(st.sampled_from(names), label="huge field")
        values[name] = data.draw(st.sampled_from(HUGE), label="huge value")
    return values


def form_body(fields: dict) -> bytes:
    """An urlencoded body as a browser (or an attacker) sends it; lone surrogates are sent
    as the invalid UTF-8 bytes they would be on the wire."""
    parts = []
    for name, value in fields.items():
        if value is MISSING:
            continue
        for item in value if isinstance(value, list) else [value]:
            data = str(item).encode("utf-8", "surrogatepass")
            parts.append(quote_from_bytes(name.encode()) + "=" + quote_from_bytes(data))
    return "&".join(parts).encode("ascii")


def post_form(client, url, fields: dict):
    """POST ``fields`` to ``url`` as an urlencoded form."""
    return client.post(
        url, data=form_body(fields), content_type="application/x-www-form-urlencoded"
    )


def row_counts() -> dict:
    """Rows in every table that a request may change (not the published artifacts, which
    the read path writes on its own)."""
    db.session.rollback()
    skip = {"published_artifacts", "publish_state", "worker_heartbeats", "alembic_version"}
    return {
        table.name: db.session.scalar(db.select(db.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in skip
    }


MESSAGE_MARKS = ('class="error"', "flash-error", 'role="alert"', "<h1>4", "does not work")


def assert_clear_answer(response, url):
    """Below 500, and a 4xx names what was wrong."""
    assert response.status_code < 500, (url, response.status_code)
    if 400 <= response.status_code < 500:
        body = response.get_data(as_text=True)
        assert any(mark in body for mark in MESSAGE_MARKS) or response.is_json, (
            url,
            response.status_code,
            body[:500],
        )


def submit(client, url, fields: dict, *, twice=False, done=(301, 302, 303)):
    """POST hostile ``fields``; the answer is clear, and unless it is one of the ``done``
    statuses (the form was taken) it wrote nothing. ``twice`` sends it again, as a double
    click would."""
    limiter.reset()
    before = row_counts()
    response = post_form(client, url, fields)
    assert_clear_answer(response, url)
    if response.status_code not in done:
        assert row_counts() == before, (url, response.status_code)
    if twice:
        again = post_form(client, url, fields)
        assert_clear_answer(again, url)
    return response
