"""Artifacts compressed once at publish, served by Accept-Encoding with an ETag per encoding."""

import gzip

import brotli
import feedparser
import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import PublishedArtifact
from app.publishing.encodings import compress, preferences
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}


@pytest.fixture
def site(ctx):
    api = create_component(slug="api", name="API")
    incident = create_incident(title="Slow API", components=[api], updates=[("Looking.", "")])
    publish_site()
    return [
        "/",
        f"/incidents/{incident.public_id}",
        "/history",
        "/history.atom",
        "/history.rss",
        "/api/v2/summary.json",
        "/api/v2/incidents.json",
        "/components/api/history.atom",
    ]


def _paths():
    query = db.select(PublishedArtifact.path).filter_by(gone=False)
    return list(db.session.scalars(query))


def test_each_encoding_round_trips_to_the_identity_bytes(client, site):
    for path in site:
        plain = client.get(path)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers, path
        for coding, decode in DECODE.items():
            for query in ("", "?via=flask"):  # the fast path, and Flask's views (api too)
                got = client.get(path + query, headers={"Accept-Encoding": coding})
                assert got.headers["Content-Encoding"] == coding, (path, query)
                assert len(got.data) < len(plain.data), (path, coding)
                assert decode(got.data) == plain.data, (path, coding)
                assert got.headers["Content-Length"] == str(len(got.data))
                head = client.head(path + query, headers={"Accept-Encoding": coding})
                assert head.data == b"" and head.headers["Content-Length"] == str(len(got.data))


def test_each_encoding_has_its_own_etag_and_answers_its_own_if_none_match(client, site):
    for path in site:
        tags = {}
        for coding in ("identity", "gzip", "br"):
            tags[coding] = client.get(path, headers={"Accept-Encoding": coding}).headers["ETag"]
        assert len(set(tags.values())) == 3, path
        assert tags["gzip"] == tags["identity"][:-1] + '-gz"'
        for coding, tag in tags.items():
            for query in ("", "?via=flask"):
                asked = {"Accept-Encoding": coding, "If-None-Match": tag}
                again = client.get(path + query, headers=asked)
                assert again.status_code == 304 and again.headers["ETag"] == tag, (path, coding)
                for other in set(tags.values()) - {tag}:  # another encoding's bytes are not these
                    asked = {"Accept-Encoding": coding, "If-None-Match": other}
                    assert client.get(path + query, headers=asked).status_code == 200


def test_every_public_artifact_varies_on_accept_encoding(client, site):
    for path in _paths():
        for accept in (None, "gzip", "br", "zstd"):
            headers = {"Accept-Encoding": accept} if accept else {}
            first = client.get(path, headers=headers)
            assert first.headers["Vary"] == "Accept-Encoding", (path, accept)
            headers["If-None-Match"] = first.headers["ETag"]
            again = client.get(path, headers=headers)
            assert again.status_code == 304 and again.headers["Vary"] == "Accept-Encoding"
            flask = client.get(path + "?x=1", headers=headers)  # Flask's views add Cookie
            assert "Accept-Encoding" in flask.headers["Vary"].split(", "), (path, accept)


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("zstd", None),  # an encoding Crier does not have: identity
        ("deflate, compress", None),
        ("", None),  # an empty header asks for no coding
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0, br;q=0", None),
        ("gzip;q=0.5, br;q=0.4", "gzip"),
        ("GZIP;Q=1", "gzip"),
        ("x-gzip", "gzip"),
        ("identity;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*;q=0, identity", None),
        ("br;q=0, *;q=0.5", "gzip"),
        ("gzip;q=2, br;q=nan", None),  # malformed q-values say nothing
    ],
)
def test_accept_encoding_q_values_pick_the_encoding(client, site, accept, served):
    for query in ("", "?via=flask"):
        got = client.get("/" + query, headers={"Accept-Encoding": accept})
        assert got.status_code == 200
        assert got.headers.get("Content-Encoding") == served, (accept, query)


@pytest.mark.parametrize("accept", ["identity;q=0", "*;q=0", "br, identity;q=0"])
def test_refusing_identity_and_every_stored_encoding_is_a_406(client, site, accept):
    # /api/v2/status.json is too small to be worth compressing: identity is all it has.
    for path in ("/api/v2/status.json", "/api/v2/status.json?x=1"):
        got = client.get(path, headers={"Accept-Encoding": accept})
        assert got.status_code == 406, (path, accept)
        assert "Accept-Encoding" in got.get_json()["error"]["message"]
        assert "Accept-Encoding" in got.headers["Vary"]
    got = client.get("/", headers={"Accept-Encoding": "*;q=0, gzip"})
    assert got.status_code == 200 and got.headers["Content-Encoding"] == "gzip"


def test_preferences_follow_rfc_9110():
    assert preferences(None) == ("identity",)
    assert preferences("gzip, deflate, br") == ("br", "gzip", "identity")
    assert preferences("identity;q=0") == ()
    assert preferences("*;q=0.5, gzip;q=0") == ("br", "identity")


def test_tiny_or_binary_bodies_are_not_compressed():
    assert compress(b"{}", "application/json") == {}
    assert compress(b"\x89PNG" + bytes(range(256)) * 4, "image/png") == {}
    assert set(compress(b'{"status": "ok"} ' * 40, "application/json")) == {"gzip", "br"}


def test_a_row_stored_before_compression_is_served_as_identity(app_factory, site):
    db.session.execute(update(PublishedArtifact).values(body_gzip=None, body_br=None))
    db.session.commit()
    reader = app_factory().test_client()
    got = reader.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert got.status_code == 200 and "Content-Encoding" not in got.headers
    assert got.headers["Vary"] == "Accept-Encoding"
    publish_site()  # nothing changed: the old row stays as it is
    assert db.session.scalar(db.select(PublishedArtifact.body_gzip).filter_by(path="/")) is None


def test_feedparser_reads_the_compressed_feeds(live_server, site, client):
    for path in ("/history.atom", "/history.rss", "/components/api/history.atom"):
        parsed = feedparser.parse(live_server + path)  # asks for gzip, deflate
        assert parsed.headers["content-encoding"] == "gzip" and not parsed.bozo, path
        assert [e.title for e in parsed.entries] == ["Investigating: Slow API"]
        again = feedparser.parse(live_server + path, etag=parsed.etag)
        assert again.status == 304, path
        brotli_bytes = client.get(path, headers={"Accept-Encoding": "br"}).data
        assert (
            feedparser.parse(brotli.decompress(brotli_bytes)).entries[0].title.endswith("Slow API")
        )
