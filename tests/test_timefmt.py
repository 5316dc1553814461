import re
from datetime import UTC, datetime

from app.timefmt import time_tag

# HTML's "valid global date and time string": at most three fractional digits.
HTML_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z")


def test_time_tag_writes_milliseconds_as_html_allows():
    value = datetime(2026, 11, 24, 13, 39, 44, 467913, tzinfo=UTC)
    tag = str(time_tag(value, "Europe/Berlin"))
    stamp = re.search(r'datetime="([^"]+)"', tag).group(1)
    assert stamp == "2026-11-24T13:39:44.467Z"
    assert HTML_DATETIME.fullmatch(stamp)


def test_time_tag_is_utc_whatever_the_page_zone():
    value = datetime(2026, 11, 24, 13, 39, 44, tzinfo=UTC)
    tag = str(time_tag(value, "America/New_York"))
    assert 'datetime="2026-11-24T13:39:44.000Z"' in tag
    assert "08:39 EST" in tag


def test_times_written_in_a_text_are_marked_up_like_the_headers():
    from app.timefmt import mark_times

    html = (
        "<p>We will post the next update by 2026-12-03 09:03 CET.</p>"
        "<p>Maintenance from 2026-12-04 02:00 CET to 04:00 CET; "
        "<code>2026-12-03 09:03 CET</code>; 2026-12-03 09:03 EST is not ours.</p>"
    )
    marked = str(mark_times(html, "Europe/Berlin"))
    assert '<time datetime="2026-12-03T08:03:00.000Z">2026-12-03 09:03 CET</time>' in marked
    assert '<time datetime="2026-12-04T01:00:00.000Z">2026-12-04 02:00 CET</time>' in marked
    assert '<time datetime="2026-12-04T03:00:00.000Z">04:00 CET</time>' in marked
    assert "<code>2026-12-03 09:03 CET</code>" in marked  # code is left as written
    assert "<time" not in marked.split("<code>")[1].split("</p>")[0].replace("</code>", "")
    assert mark_times("<p>no times 12:00 here</p>", "UTC") == "<p>no times 12:00 here</p>"


def test_a_window_written_past_midnight_ends_the_next_day():
    from app.timefmt import mark_times

    marked = str(mark_times("<p>from 2026-12-04 23:00 UTC to 01:00 UTC</p>", "UTC"))
    assert 'datetime="2026-12-05T01:00:00.000Z">01:00 UTC</time>' in marked


def test_emails_give_utc_beside_the_pages_zone():
    from app.timefmt import format_with_utc, with_utc

    text = "Next update by 2026-12-03 09:03 CET, or 2026-12-03 09:30 CET (08:30 UTC)."
    assert with_utc(text, "Europe/Berlin") == (
        "Next update by 2026-12-03 09:03 CET (08:03 UTC), or 2026-12-03 09:30 CET (08:30 UTC)."
    )
    assert with_utc("by 2026-12-03 09:03 UTC", "UTC") == "by 2026-12-03 09:03 UTC"
    moment = datetime(2026, 12, 3, 8, 3, tzinfo=UTC)
    assert format_with_utc(moment, "Europe/Berlin") == "2026-12-03 09:03 CET (08:03 UTC)"
    assert format_with_utc(moment, "UTC") == "2026-12-03 08:03 UTC"
