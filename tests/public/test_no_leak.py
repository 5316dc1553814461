"""Only external text is public: seed internal markers everywhere, then scan every artifact."""

import gzip
from datetime import timedelta

import brotli

from app.extensions import db
from app.models import (
    ComponentStatus,
    ComponentStatusChange,
    IncidentComponent,
    PublishedArtifact,
    Update,
)
from app.publishing.publish import export_site, publish_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident, create_settings

MARKERS = [
    "INTERNAL-BODY-7f3a",
    "INTERNAL-ONLY-UPDATE-91c2",
    "HIDDEN-COMPONENT-55d0",
    "hidden-comp-slug-55d0",
    "HIDDEN-GROUP-21ee",
    "DRAFT-INCIDENT-TITLE-8b41",
    "DRAFT-INCIDENT-TEXT-8b41",
    "HIDDEN-MAINTENANCE-0c9d",
    "HIDDEN-MAINT-TEXT-0c9d",
]


def seed():
    create_settings(timezone="Europe/Berlin")
    api = create_component(slug="api", name="API", group="Core")
    hidden = create_component(
        slug="hidden-comp-slug-55d0",
        name="HIDDEN-COMPONENT-55d0",
        group="HIDDEN-GROUP-21ee",
        is_public=False,
        status=ComponentStatus.major_outage,
    )
    incident = create_incident(
        title="Public API errors",
        components=[api, hidden],
        updates=[("We are investigating.", "INTERNAL-BODY-7f3a failover of db-3")],
    )
    internal_only = Update(
        incident=incident,
        state="identified",
        external_body="  ",
        internal_body="INTERNAL-ONLY-UPDATE-91c2",
        posted_at=utcnow(),
    )
    db.session.add(internal_only)
    db.session.add(
        ComponentStatusChange(component=hidden, status=ComponentStatus.major_outage, at=utcnow())
    )
    resolved = create_incident(
        title="Resolved public one",
        state="resolved",
        components=[api],
        resolved_at=utcnow(),
        updates=[("All good now.", "INTERNAL-BODY-7f3a postmortem owner: Bob")],
    )
    draft = create_incident(
        title="DRAFT-INCIDENT-TITLE-8b41",
        is_public=False,
        components=[api],
        updates=[("DRAFT-INCIDENT-TEXT-8b41", "INTERNAL-BODY-7f3a")],
    )
    maintenance = create_incident(
        title="HIDDEN-MAINTENANCE-0c9d",
        kind="maintenance",
        state="in_progress",
        is_public=False,
        scheduled_for=utcnow() - timedelta(minutes=5),
        scheduled_until=utcnow() + timedelta(hours=1),
        updates=[("HIDDEN-MAINT-TEXT-0c9d", "")],
    )
    db.session.add(IncidentComponent(incident=resolved, component=hidden, status="major_outage"))
    db.session.commit()
    secret_ids = [
        hidden.public_id,
        hidden.group.public_id,
        draft.public_id,
        maintenance.public_id,
        internal_only.public_id,
    ] + [u.public_id for u in draft.updates + maintenance.updates]
    return MARKERS + secret_ids


def assert_clean(where, text, secrets):
    found = [s for s in secrets if s.lower() in text.lower()]
    assert not found, f"{where} leaks {found}"


def test_no_internal_text_in_any_public_artifact(client, ctx, tmp_path):
    secrets = seed()
    publish_site()
    rows = db.session.scalars(db.select(PublishedArtifact)).all()
    paths = {row.path for row in rows if not row.gone}
    # Every kind of artifact is among those scanned.
    assert {"/", "/history", "/history.atom", "/history.rss", "/badge.svg"} <= paths
    assert "/api/v2/summary.json" in paths and "/components/api/history.rss" in paths
    assert not any("hidden-comp-slug" in p for p in paths)
    for row in rows:
        assert_clean(f"stored {row.path}", row.body.decode(), secrets)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_clean(f"GET {path}", response.get_data(as_text=True), secrets)
    assert "We are investigating." in client.get("/").get_data(as_text=True)
    export_site(tmp_path)
    found = [f for f in tmp_path.rglob("*") if f.is_file() and f.parent.name != "static"]
    assert len([f for f in found if f.suffix not in (".gz", ".br")]) == len(paths)
    decode = {".gz": gzip.decompress, ".br": brotli.decompress}  # the precompressed copies too
    for file in found:
        body = decode.get(file.suffix, bytes)(file.read_bytes())
        assert_clean(f"export {file}", body.decode(), secrets)


def test_an_incident_made_private_disappears_everywhere(client, ctx):
    incident = create_incident(title="Soon private", updates=[("Visible for now.", "")])
    publish_site()
    assert client.get(f"/incidents/{incident.public_id}").status_code == 200
    incident.is_public = False
    db.session.commit()
    publish_site()
    assert client.get(f"/incidents/{incident.public_id}").status_code == 404
    for path in ("/", "/history.atom", "/api/v2/incidents.json"):
        assert "Soon private" not in client.get(path).get_data(as_text=True)
