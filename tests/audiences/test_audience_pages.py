"""Each set of audiences' site: published once per set, served only to its viewers with
Cache-Control: private, and the leak scan: no artifact of a set (page, feed, JSON, in every
encoding) and no export carries another audience's names, ids or texts."""

import gzip
from pathlib import Path

import brotli
import pytest

from app.audiences.sessions import COOKIE
from app.extensions import db
from app.models import AudienceArtifact, PublishedArtifact
from tests.audiences.audience_world import NAMES, forget, viewer_client, world

__all__ = ["world"]  # the fixture, used by name


def _decoded(body, gz, br):
    """Every form a reader can get: the bytes, each stored coding, and each decoded."""
    yield body
    for raw, unpack in ((gz, gzip.decompress), (br, brotli.decompress)):
        if raw:
            yield raw
            yield unpack(raw)


def _sets(world):
    by_id = {world[name]["audience"].public_id: name for name in NAMES}
    found = {}
    for row in db.session.scalars(db.select(AudienceArtifact)):
        members = frozenset(by_id[i] for i in row.key.split(","))
        found.setdefault(members, {})[row.path] = row
    return found


def _hits(where, forms, world, members):
    hits = []
    for name in NAMES:
        if name in members:
            continue
        for form in forms:
            hits += [(where, name, s) for s in world[name]["secrets"] if s in form]
    if "Gamma" not in members:  # internal text is read by internal audiences only
        hits += [(where, "internal", b"") for form in forms if b"internal words" in form]
    return hits


def test_the_leak_scan_finds_no_audiences_words_on_another_audiences_artifacts(world):
    sets = _sets(world)
    assert set(sets) == {
        frozenset({"Alpha"}),
        frozenset({"Beta"}),
        frozenset({"Gamma"}),
        frozenset({"Alpha", "Beta"}),
    }
    hits = []
    for members, rows in sets.items():
        home = rows["/"].body
        assert b"Public_1" in home  # the floor is everyone's
        for name in members:
            w = world[name]
            assert f"{w['marker']} cluster".encode() in home, (members, name)
            assert f"{w['marker']} outage".encode() in home, (members, name)
            own = f"/incidents/{w['incident'].public_id}"
            assert f"{w['marker']} external words".encode() in rows[own].body
        for path in ("/history", "/history.atom", "/history.rss", "/api/v2/summary.json"):
            assert path in rows, (members, path)
        assert rows["/"].body_gzip and rows["/"].body_br  # precompressed like the public ones
        for path, row in rows.items():
            forms = list(_decoded(row.body, row.body_gzip, row.body_br))
            hits += _hits((sorted(members), path), forms, world, members)
    for row in db.session.scalars(db.select(PublishedArtifact)):
        forms = list(_decoded(row.body, row.body_gzip, row.body_br))
        hits += _hits(("public", row.path), forms, world, frozenset())
    assert hits == []


def _export(app, tmp_path, *args):
    out = tmp_path / "site"
    result = app.test_cli_runner().invoke(args=["publish", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    files = {}
    for file in out.rglob("*"):
        if file.is_file() and "static" not in file.parts:
            files[str(file.relative_to(out))] = file.read_bytes()
    return out, files


def _file_forms(files):
    for name, data in files.items():
        if name.endswith(".gz"):
            yield name, gzip.decompress(data)
        elif name.endswith(".br"):
            yield name, brotli.decompress(data)
        yield name, data


def test_an_export_is_public_unless_asked_for_an_audience_and_then_holds_only_its_words(
    app, world, tmp_path
):
    _out, public = _export(app, tmp_path)
    hits = []
    for name, data in _file_forms(public):
        hits += _hits(("public export", name), [data], world, frozenset())
    alpha = world["Alpha"]
    out, files = _export(app, tmp_path, "--audience", "Alpha Corp")
    page = Path(out, "incidents", alpha["incident"].public_id, "index.html").read_bytes()
    assert b"Alpha_1 external words" in page
    assert b"Alpha_1 outage" in files["index.html"] and b"Alpha_1" in files["history.atom"]
    for name, data in _file_forms(files):
        hits += _hits(("Alpha export", name), [data], world, frozenset({"Alpha"}))
    assert hits == []
    _out, by_id = _export(app, tmp_path, "--audience", alpha["audience"].public_id)
    assert by_id == files
    refused = app.test_cli_runner().invoke(
        args=["publish", "--out", str(tmp_path / "x"), "--audience", "Nobody Corp"]
    )
    assert refused.exit_code == 2 and "Nobody Corp" in refused.output


def test_a_viewer_gets_their_audiences_page_privately_and_others_the_public_one(app, world):
    alpha = viewer_client(app, "bo@alpha.example").get("/")
    assert alpha.status_code == 200
    assert b"Alpha_1 outage" in alpha.data and b"Beta_1" not in alpha.data
    assert alpha.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in alpha.headers["Vary"]
    again = viewer_client(app, "bo@alpha.example")
    assert again.get("/", headers={"If-None-Match": alpha.headers["ETag"]}).status_code == 304
    assert b"Alpha_1 outage" in again.get("/?from=feed").data  # Flask's view, same page
    assert again.head("/").status_code == 200
    both = viewer_client(app, "both@else.example").get("/")
    assert b"Alpha_1 outage" in both.data and b"Beta_1 outage" in both.data
    assert b"Gamma_1" not in both.data

    public = app.test_client().get("/")
    assert b"Public_1" in public.data and b"Alpha_1" not in public.data
    assert "public" in public.headers["Cache-Control"]
    for email in ("eve@nowhere.example", "bo@alpha.example.evil"):
        other = viewer_client(app, email).get("/")
        assert other.data == public.data
    forged = app.test_client()
    forged.set_cookie(COOKIE, "eyJzIjoiYSIsImUiOiJib0BhbHBoYS5leGFtcGxlIiwidCI6MX0.forged")
    assert forged.get("/").data == public.data


def test_a_member_removed_is_locked_out_within_the_check_interval(app, world):
    client = viewer_client(app, "bo@alpha.example")
    assert b"Alpha_1 outage" in client.get("/").data
    own = f"/incidents/{world['Alpha']['incident'].public_id}"
    assert client.get(own).status_code == 200
    audience = world["Alpha"]["audience"]
    audience.admissions = []
    db.session.commit()
    forget()  # the interval passed (PUBLISH_CHECK_SECONDS)
    page = client.get("/")
    assert b"Alpha_1" not in page.data and b"Public_1" in page.data
    assert client.get(own).status_code == 404


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_a_viewers_artifacts_come_precompressed_as_the_public_ones(app, world, coding):
    client = viewer_client(app, "bo@alpha.example")
    got = client.get("/history.atom", headers={"Accept-Encoding": coding})
    assert got.headers["Content-Encoding"] == coding
    assert got.headers["Cache-Control"] == "private, no-cache"
    assert got.headers["Vary"] == "Accept-Encoding, Cookie"
    unpack = gzip.decompress if coding == "gzip" else brotli.decompress
    assert b"Alpha_1 external words" in unpack(got.data)
    etag = got.headers["ETag"]
    again = client.get("/history.atom", headers={"Accept-Encoding": coding, "If-None-Match": etag})
    assert again.status_code == 304


def test_a_viewers_reads_cost_no_query_and_a_sign_out_here_ends_them_at_once(app, world):
    from sqlalchemy import event

    from app.audiences.sessions import revoked
    from app.models import ViewerSession

    app.config["PUBLISH_CHECK_SECONDS"] = 60
    client = viewer_client(app, "bo@alpha.example")
    own = f"/incidents/{world['Alpha']['incident'].public_id}"
    assert b"Alpha_1 outage" in client.get("/").data  # membership and pages read once
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for path in ("/", own, "/history.atom", "/api/v2/summary.json") * 5:
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []
    session = db.session.scalar(db.select(ViewerSession).filter_by(email="bo@alpha.example"))
    revoked.add(session.public_id)  # what signing out in this process does after its commit
    assert b"Alpha_1" not in client.get("/").data
    assert client.get(own).status_code == 404
