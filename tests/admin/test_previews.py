"""Preview as an audience, or as a member: exactly what they see, from the publisher's code."""

from app.audiences.admissions import AudienceDraft
from app.audiences.manage import create_audience
from app.core.uow import unit_of_work
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident, create_user


def _world():
    admin = create_user(email="admin@example.org", role="admin")
    create_component(slug="api", name="Public API")
    vault = create_component(slug="vault", name="Vault_1", is_public=False)
    lab = create_component(slug="lab", name="Lab_1", is_public=False)
    vault_incident = create_incident(
        title="Vault_1 slow", components=[vault], updates=[("Vault_1 is slow.", "Disk_1 full.")]
    )
    create_incident(title="Lab_1 down", components=[lab], updates=[("Lab_1 is down.", "")])
    with unit_of_work():
        vaulted = create_audience(
            AudienceDraft(
                name="Vault people",
                component_ids=[vault.public_id],
                emails=["ana@corp.example"],
            ),
            actor=admin,
        )
        staff = create_audience(
            AudienceDraft(
                name="Lab staff",
                kind="internal",
                component_ids=[lab.public_id, vault.public_id],
                domains=["lab.example"],
            ),
            actor=admin,
        )
    publish_site()
    return vaulted, staff, vault_incident


def test_preview_as_an_audience_shows_its_page_and_nothing_of_anothers(client, as_lead):
    vaulted, staff, incident = _world()
    page = client.get(f"/admin/audiences/{vaulted.public_id}/preview")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Preview as a viewer of Vault people" in text
    assert "Vault_1 slow" in text and "Public API" in text
    assert "Lab_1" not in text
    public = client.get("/").get_data(as_text=True)
    assert "Vault_1" not in public and "Lab_1" not in public
    as_staff = client.get(
        f"/admin/audiences/{staff.public_id}/preview",
        query_string={"path": f"/incidents/{incident.public_id}"},
    ).get_data(as_text=True)
    assert "Disk_1 full." in as_staff  # an internal audience reads the internal text
    as_customer = client.get(
        f"/admin/audiences/{vaulted.public_id}/preview",
        query_string={"path": f"/incidents/{incident.public_id}"},
    ).get_data(as_text=True)
    assert "Vault_1 is slow." in as_customer and "Disk_1" not in as_customer
    feed = client.get(
        f"/admin/audiences/{vaulted.public_id}/preview", query_string={"path": "/history.atom"}
    )
    assert feed.content_type.startswith("application/atom+xml") and b"Vault_1 slow" in feed.data
    assert b"Preview as" not in feed.data  # the banner goes on pages only


def test_preview_as_a_member_follows_their_address(client, as_lead):
    _world()
    ana = client.get("/admin/audiences/preview", query_string={"email": "Ana@corp.example"})
    text = ana.get_data(as_text=True)
    assert "Preview as ana@corp.example" in text and "member of Vault people" in text
    assert "Vault_1 slow" in text and "Lab_1" not in text
    bo = client.get("/admin/audiences/preview", query_string={"email": "bo@lab.example"})
    assert "Lab_1 down" in bo.get_data(as_text=True)
    nobody = client.get("/admin/audiences/preview", query_string={"email": "x@else.example"})
    text = nobody.get_data(as_text=True)
    assert "in no audience: the public page" in text
    assert "Vault_1" not in text and "Lab_1" not in text


def test_bad_input_is_a_clear_answer_never_a_500(client, as_lead):
    vaulted, *_ = _world()
    url = f"/admin/audiences/{vaulted.public_id}/preview"
    for path in ("//evil.example", "/../etc/passwd", "x" * 300, "/a\x00b", "https://x.example/"):
        assert client.get(url, query_string={"path": path}).status_code == 404, path
    assert client.get(url, query_string={"path": "/incidents/nope"}).status_code == 404
    assert client.get("/admin/audiences/1234567890123456789012345/preview").status_code == 404
    # A NUL byte in a query is a DataError on PostgreSQL.
    for odd in ("%00" * 12, "ABCDEFGHIJKL", "abc%27%20or%201"):
        assert client.get(f"/admin/audiences/{odd}/preview").status_code == 404, odd
    for email in ("", "not-an-address", "a@b@c", "x" * 100_000 + "@example.com", "\x1b[31m@x"):
        response = client.get("/admin/audiences/preview", query_string={"email": email})
        assert response.status_code in (200, 422), email
        assert "x" * 300 not in response.get_data(as_text=True)


def test_a_viewer_role_cannot_preview(client, as_viewer):
    assert client.get("/admin/audiences/preview?email=a@b.example").status_code == 403
