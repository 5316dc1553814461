"""Statuspage's page access groups and users on Crier's audiences: the same verbs as the
console (checked, audited, re-publishing), admin keys only, Statuspage's fields and bodies."""

from app.audiences.membership import load_membership
from app.core.audit import audit_events
from app.extensions import db
from app.models import PageAudience
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident

BASE = "/api/v1/pages/crier"


def _group(client, key, **fields):
    return client.post(f"{BASE}/page_access_groups", json={"page_access_group": fields},
                       headers=key)  # fmt: skip


def test_a_group_is_an_audience_with_statuspage_fields(client, admin_key):
    vault = create_component(slug="vault", name="Vault", is_public=False)
    mine = create_incident(title="Vault_1 down", components=[vault])
    publish_site()
    assert client.get(f"/incidents/{mine.public_id}").status_code == 200  # nobody's: public
    answer = _group(client, admin_key, name="Enterprise EU", external_identifier="ent-eu",
                    component_ids=[vault.public_id], metric_ids=["m1"])  # fmt: skip
    assert answer.status_code == 201
    body = answer.json
    fields = "id page_id name external_identifier component_ids metric_ids page_access_user_ids"
    assert set(body) >= {*fields.split(), "created_at", "updated_at"}
    assert (body["page_id"], body["name"], body["external_identifier"]) == (
        "crier",
        "Enterprise EU",
        "ent-eu",
    )
    assert body["component_ids"] == [vault.public_id] and body["metric_ids"] == []
    audience = db.session.scalar(db.select(PageAudience))
    assert audience.public_id == body["id"] and audience.components == [vault]
    assert "audience.create" in [e.action for e in audit_events()]
    # Naming a hidden component moves the floor: the public site is re-published without it.
    assert client.get(f"/incidents/{mine.public_id}").status_code == 404

    url = f"{BASE}/page_access_groups/{body['id']}"
    assert client.get(url, headers=admin_key).json == body | {"updated_at": body["updated_at"]}
    patched = client.patch(url, json={"page_access_group": {"external_identifier": None}},
                           headers=admin_key)  # fmt: skip
    assert patched.status_code == 200 and patched.json["external_identifier"] is None
    assert patched.json["name"] == "Enterprise EU"  # the fields not given stay
    listed = client.get(f"{BASE}/page_access_groups?per_page=10", headers=admin_key).json
    assert [g["id"] for g in listed] == [body["id"]]
    assert client.delete(url, headers=admin_key).status_code == 200
    assert client.get(url, headers=admin_key).status_code == 404


def test_the_components_sub_resource_adds_replaces_and_removes(client, admin_key):
    a, b, c = (
        create_component(slug=s, name=s.title(), is_public=False) for s in ("aa", "bb", "cc")
    )
    group = _group(client, admin_key, name="Gold", component_ids=[a.public_id]).json
    url = f"{BASE}/page_access_groups/{group['id']}/components"

    def send(method, ids):
        answer = client.open(url, method=method, json={"component_ids": ids}, headers=admin_key)
        assert answer.status_code == 200, answer.json
        return answer.json["component_ids"]

    assert send("PATCH", [b.public_id]) == [a.public_id, b.public_id]
    assert send("PUT", [c.public_id, a.public_id]) == [a.public_id, b.public_id, c.public_id]
    assert send("POST", [b.public_id]) == [b.public_id]
    assert send("DELETE", [b.public_id]) == []
    send("POST", [a.public_id, c.public_id])
    one = client.delete(f"{url}/{a.public_id}", headers=admin_key)
    assert one.status_code == 200 and one.json["component_ids"] == [c.public_id]
    assert client.delete(f"{url}/{a.public_id}", headers=admin_key).status_code == 404
    listed = client.get(url, headers=admin_key).json
    assert [x["id"] for x in listed] == [c.public_id]
    unknown = client.patch(url, json={"component_ids": ["zzzzzzzzzzzz"]}, headers=admin_key)
    assert unknown.status_code == 422 and "no component" in unknown.json["error"]


def test_a_user_is_an_address_its_groups_admit(client, admin_key):
    gold = _group(client, admin_key, name="Gold").json
    silver = _group(client, admin_key, name="Silver").json
    users = f"{BASE}/page_access_users"
    made = client.post(users, json={"page_access_user": {
        "email": "Ops@Customer.Example", "page_access_group_ids": [gold["id"], silver["id"]],
        "external_login": "uid-7",
    }}, headers=admin_key)  # fmt: skip
    assert made.status_code == 201
    user = made.json
    assert set(user) == {"id", "page_id", "email", "external_login", "page_access_group_id",
                         "page_access_group_ids", "created_at", "updated_at"}  # fmt: skip
    assert user["email"] == "ops@customer.example"
    assert sorted(user["page_access_group_ids"]) == sorted([gold["id"], silver["id"]])
    assert load_membership().ids_for("ops@customer.example") == {gold["id"], silver["id"]}
    shown = client.get(f"{BASE}/page_access_groups/{gold['id']}", headers=admin_key).json
    assert shown["page_access_user_ids"] == [user["id"]]
    found = client.get(f"{users}?email=ops@customer.example", headers=admin_key).json
    assert [u["id"] for u in found] == [user["id"]]

    url = f"{users}/{user['id']}"
    moved = client.patch(url, json={"page_access_user": {"page_access_group_ids": [silver["id"]]}},
                         headers=admin_key)  # fmt: skip
    assert moved.json["page_access_group_ids"] == [silver["id"]]
    assert load_membership().ids_for("ops@customer.example") == {silver["id"]}
    renamed = client.put(url, json={"page_access_user": {"email": "sre@customer.example"}},
                         headers=admin_key)  # fmt: skip
    assert renamed.status_code == 200 and renamed.json["email"] == "sre@customer.example"
    assert load_membership().ids_for("ops@customer.example") == frozenset()
    new_url = f"{users}/{renamed.json['id']}"
    gone = client.delete(new_url, headers=admin_key)
    assert gone.status_code == 204 and gone.get_data() == b""
    assert client.get(new_url, headers=admin_key).status_code == 404
    assert load_membership().ids_for("sre@customer.example") == frozenset()


def test_bad_input_is_a_clear_refusal_never_a_500(client, admin_key, lead_key):
    gold = _group(client, admin_key, name="Gold").json
    users = f"{BASE}/page_access_users"
    cases = [
        (_group(client, admin_key, name=""), 422),
        (_group(client, admin_key, name="Gold"), 422),  # taken
        (_group(client, admin_key, name="x" * 121), 400),
        (
            client.post(
                users, json={"page_access_user": {"email": "a@b.example"}}, headers=admin_key
            ),
            422,
        ),  # no group
        (
            client.post(
                users,
                json={
                    "page_access_user": {
                        "email": "not an address",
                        "page_access_group_ids": [gold["id"]],
                    }
                },
                headers=admin_key,
            ),
            422,
        ),
        (
            client.post(
                users,
                json={
                    "page_access_user": {
                        "email": "a@b.example",
                        "page_access_group_ids": ["zzzzzzzzzzzz"],
                    }
                },
                headers=admin_key,
            ),
            422,
        ),
        (client.post(users, json={"nope": {}}, headers=admin_key), 400),
        (client.get(f"{BASE}/page_access_groups/{'1' * 25}", headers=admin_key), 404),
        (client.get(f"{users}/{'1' * 25}", headers=admin_key), 404),
        (client.get(f"{BASE}/page_access_groups?per_page=1000", headers=admin_key), 400),
        (client.get(f"{BASE}/page_access_groups", headers=lead_key), 403),
        (client.get(f"{BASE}/page_access_groups"), 401),
        (_group(client, admin_key, name="Big", component_ids=["a"] * 501), 400),
    ]
    for answer, status in cases:
        assert answer.status_code == status, answer.json
        assert answer.json["error"]
    huge = client.post(f"{BASE}/page_access_groups", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                       headers=admin_key | {"Content-Type": "application/json"})  # fmt: skip
    assert huge.status_code == 413
    assert db.session.scalar(db.select(db.func.count()).select_from(PageAudience)) == 1
