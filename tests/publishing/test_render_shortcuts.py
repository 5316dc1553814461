"""The publish's shortcuts write exactly the bytes the plain way writes."""

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.core.text import printable
from app.extensions import db
from app.models import ComponentStatusChange, Incident
from app.publishing import feeds, fragments, uptime
from app.publishing.site import _json, render_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_settings

NOON = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # noon in Tokyo

# Texts as stored rows may hold them: every control, C1, surrogate and noncharacter, and the
# backslashes that could pass for an escape in the JSON text.
TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0xA0),
        st.sampled_from("\\bfrnu0\r\n\t\u2028\ud800\udfff\ufffe\uffffé"),
    ),
    max_size=12,
)
DOCUMENT = st.recursive(
    st.one_of(TEXT, st.integers(), st.none(), st.booleans()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(DOCUMENT)
def test_json_document_is_the_cleaned_document(document):
    plain = json.dumps(printable(document), ensure_ascii=False, separators=(",", ":")).encode()
    assert _json("/api/v2/x.json", document).body == plain


def test_json_document_cleans_each_character_alone():
    # One unclean character in an otherwise clean document must not slip past the shortcut.
    for char in [*map(chr, range(0xA1)), "\u2028", "\ud800", "\udfff", "\ufffe", "\uffff"]:
        for document in ({"name": f"a{char}b"}, {f"k{char}": [1, f"\\{char}"]}):
            plain = json.dumps(printable(document), ensure_ascii=False, separators=(",", ":"))
            assert _json("/api/v2/x.json", document).body == plain.encode(), repr(char)


def _cold_uptime(components, **kwargs):
    uptime._past.clear()
    return uptime.uptime_for(components, **kwargs)


def test_uptime_kept_from_an_earlier_publish_is_what_a_fresh_render_gives(ctx):
    api = create_component()
    api.created_at = NOON - timedelta(days=120)
    db.session.add(ComponentStatusChange(component=api, status="major_outage", at=NOON))
    db.session.commit()
    first = uptime.uptime_for([api], now=NOON + timedelta(hours=1), tz_name="Asia/Tokyo")
    later = NOON + timedelta(hours=2, minutes=7)  # the same local day: the past days are kept
    assert uptime.uptime_for([api], now=later, tz_name="Asia/Tokyo") == _cold_uptime(
        [api], now=later, tz_name="Asia/Tokyo"
    )
    assert first != uptime.uptime_for([api], now=later, tz_name="Asia/Tokyo")
    # A change in the past (a back-dated status) and a new day each show at once.
    db.session.add(ComponentStatusChange(component=api, status="operational", at=NOON))
    db.session.add(
        ComponentStatusChange(component=api, status="partial_outage", at=NOON - timedelta(days=3))
    )
    db.session.commit()
    for now in (later, NOON + timedelta(days=1)):
        warm = uptime.uptime_for([api], now=now, tz_name="Asia/Tokyo")
        assert warm == _cold_uptime([api], now=now, tz_name="Asia/Tokyo")
        assert warm.keys() == {api.id} and warm[api.id].days[-1].day == now.date()


def _plain_feeds(spec, incidents, base):
    """What feedgen writes for the whole feed at once (no entry kept from before)."""
    entries = feeds.feed_entries(incidents)
    updated = entries[0][1].posted_at if entries else NOON
    bodies = {u.id: str(feeds.external_html(u.external_body)) for _, u in entries}
    return {f".{k}": feeds._xml(spec, base, k, entries, updated, bodies) for k in ("atom", "rss")}


def test_feeds_made_of_kept_entries_are_what_feedgen_writes(ctx):
    texts = ["<entry>x</entry> & </item>", "```\n  <item>\n    </entry>\n```", "Plain.", "é\n\n- a"]
    incidents = [
        create_incident(
            title=f"Outage {n} <entry> & </feed>",
            updates=[(texts[(n + k) % 4] + f" {k}", "") for k in range(3)],
            started_minutes_ago=60 * n,
        )
        for n in range(6)
    ]
    spec = feeds.site_feed_spec("Acme & <Status>")
    base = "https://status.example.com/sub"
    feeds._entries.clear()
    for shown in (incidents[2:4], incidents[:5], incidents, [], incidents[1:]):
        made = feeds.render_feeds(spec, shown, base_url=base, fallback=NOON)
        assert made == _plain_feeds(spec, shown, base)
    incidents[0].title = "Renamed"  # a fact an entry shows: its entries are made anew
    made = feeds.render_feeds(spec, incidents, base_url=base, fallback=NOON)
    assert made == _plain_feeds(spec, incidents, base) and b"Renamed" in made[".rss"]


def _site_bytes():
    return {a.path: a.body for a in render_site(now=NOON).artifacts}


def _cold_site_bytes():
    for kept in (fragments._rows, fragments._links, fragments._items, feeds._entries):
        kept.clear()
    uptime._past.clear()
    return _site_bytes()


def test_a_site_rendered_from_kept_fragments_is_what_a_fresh_render_gives(ctx):
    settings = create_settings(timezone="Europe/Paris")
    api = create_component(slug="api", name="API")
    cdn = create_component(slug="cdn", name="CDN")
    for n in range(40):  # a few months of history, so /history links to older months
        create_incident(
            title=f"Past {n}",
            state="resolved",
            components=[api if n % 2 else cdn],
            updates=[("Fixed.", "")],
            started_minutes_ago=(n + 1) * 3 * 24 * 60,
            resolved_at=utcnow() - timedelta(days=3 * n),
        )
    _site_bytes()  # fills every kept fragment
    newest = db.session.scalars(db.select(Incident).filter_by(title="Past 0")).one()
    changes = [
        lambda: setattr(api, "description", "The public API."),
        lambda: setattr(api, "name", "Public API"),
        lambda: setattr(cdn, "status", "major_outage"),
        lambda: setattr(newest, "title", "Past zero"),
        lambda: setattr(newest, "started_at", newest.started_at - timedelta(days=200)),
        lambda: setattr(settings, "timezone", "Asia/Tokyo"),
    ]
    for change in changes:
        change()
        db.session.commit()
        warm = _site_bytes()
        assert warm == _cold_site_bytes()
