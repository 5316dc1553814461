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
