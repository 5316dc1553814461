import gzip
import logging
import sqlite3

import brotli

from app.extensions import db
from app.models import Incident
from app.publishing.encodings import Encoded
from app.publishing.mirror import write_encoded
from app.publishing.publish import export_site, publish_site
from tests.conftest import make_app
from tests.factories import create_component, create_incident


def _tree(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_every_publish_keeps_the_mirror_equal_to_an_export(app, app_factory, tmp_path):
    mirror = tmp_path / "mirror"
    mirrored = app_factory(PUBLISH_DIR=str(mirror))
    with mirrored.app_context():
        api = create_component(name="API")
        incident = create_incident(title="Slow checkout", components=[api], updates=[("Hm.", "")])
        publish_site()
        export_site(tmp_path / "export")
        assert _tree(mirror) == _tree(tmp_path / "export")
        page = mirror / f"incidents/{incident.public_id}/index.html"
        assert b"Slow checkout" in page.read_bytes() and page.stat().st_mode & 0o777 == 0o644
        assert page.with_name("index.html.gz").exists() and page.with_name("index.html.br").exists()
        db.session.delete(incident)  # its page is gone: the file and its folder go too
        api.status = "major_outage"
        db.session.commit()
        publish_site()
        assert not page.parent.exists()  # with its .gz and .br
        export_site(tmp_path / "export")
        assert _tree(mirror) == _tree(tmp_path / "export")
        assert not list(mirror.rglob(".*.tmp"))


def test_a_mirror_set_up_later_or_after_a_gap_gets_the_whole_site(app, app_factory, tmp_path):
    mirror = tmp_path / "mirror"
    plain, mirrored = app_factory(), app_factory(PUBLISH_DIR=str(mirror))
    with plain.app_context():
        create_component(name="API")
        publish_site()  # no mirror here: the mirror misses this generation
    with mirrored.app_context():
        create_component(slug="web", name="Web")
        publish_site()
        export_site(tmp_path / "export")
    assert _tree(mirror) == _tree(tmp_path / "export")
    assert (mirror / "api/v2/summary.json").exists() and (mirror / "static").is_dir()


def test_a_mirror_that_cannot_be_written_never_fails_the_publish(
    app, app_factory, tmp_path, caplog
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    broken = app_factory(PUBLISH_DIR=str(blocker / "mirror"))
    with broken.app_context(), caplog.at_level(logging.ERROR):
        create_component(name="API")
        generation = publish_site()
        assert generation >= 1 and broken.test_client().get("/").status_code == 200
    assert "could not mirror" in caplog.text


def test_the_exports_gz_and_br_files_decompress_to_the_identity_files(ctx, tmp_path):
    create_incident(title="Slow checkout", components=[create_component(name="API")])
    export_site(tmp_path / "export")
    tree = _tree(tmp_path / "export")
    siblings = {name: body for name, body in tree.items() if name.endswith((".gz", ".br"))}
    for name in ("index.html", "history.atom", "api/v2/summary.json", "static/crier.css"):
        assert {f"{name}.gz", f"{name}.br"} <= set(siblings), name
    for name, body in siblings.items():
        decode = gzip.decompress if name.endswith(".gz") else brotli.decompress
        assert decode(body) == tree[name[:-3]], name
    assert "api/v2/status.json.gz" not in tree  # too small to gain: nginx sends the file


def test_a_file_that_loses_its_compressed_forms_loses_its_stale_siblings(tmp_path):
    big = b"<p>all good</p>" * 100
    write_encoded(tmp_path, "index.html", Encoded(big, gzip.compress(big), brotli.compress(big)))
    assert (tmp_path / "index.html.gz").exists() and (tmp_path / "index.html.br").exists()
    write_encoded(tmp_path, "index.html", Encoded(b"<p>tiny</p>"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def _sqlite_copy(source, target):
    """A consistent copy of a live SQLite database (what `sqlite3 crier.db .backup` does)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_a_restored_database_is_mirrored_whole_again(tmp_path):
    database, backup, mirror = tmp_path / "crier.db", tmp_path / "backup.db", tmp_path / "mirror"
    app = make_app(f"sqlite:///{database}", tmp_path / "instance", PUBLISH_DIR=str(mirror))
    with app.app_context():
        db.create_all()
        incident_id = create_incident(title="Checkout v1", is_public=True).id
        publish_site()
        db.session.remove()
        _sqlite_copy(database, backup)  # the backup

        for version in ("v2", "v3"):  # two more updates after it
            incident = db.session.get(Incident, incident_id)
            incident.title = f"Checkout {version}"
            db.session.commit()
            publish_site()
        assert b"Checkout v3" in (mirror / "index.html").read_bytes()

        db.session.remove()
        db.engine.dispose()
        _sqlite_copy(backup, database)  # the restore: v2 and v3 never happened

        create_incident(title="After the restore", is_public=True)  # the next update
        publish_site()
        export_site(tmp_path / "export")
        assert b"After the restore" in (mirror / "index.html").read_bytes()
        assert b"Checkout v3" not in (mirror / "index.html").read_bytes()
        assert _tree(mirror) == _tree(tmp_path / "export")
        db.engine.dispose()
