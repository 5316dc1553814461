"""API keys: stored as hashes, shown once, refused when missing, wrong or revoked (401 JSON),
below scope (403 JSON), last use noted at most once a minute, limited per key, audited."""

from datetime import timedelta

import time_machine

from app.core.api_keys import authenticate_key, create_api_key, hash_secret, revoke_api_key
from app.core.uow import unit_of_work
from app.extensions import db
from app.models import ApiKey, AuditEvent, Incident, User
from app.sqltypes import utcnow
from tests.conftest import login
from tests.factories import create_user

PAGE = "/api/v1/pages/crier"


def _admin():
    return create_user(email="ada@example.com", name="Ada Admin", role="admin")


def test_a_key_is_stored_as_its_hash_and_a_prefix_only(ctx):
    with unit_of_work():
        key, secret = create_api_key("deploy", scope="lead", actor=_admin())
    row = db.session.execute(db.select(ApiKey.__table__)).one()._asdict()
    assert secret not in {str(v) for v in row.values()}
    assert key.secret_hash == hash_secret(secret)
    assert secret.startswith(key.prefix) and len(key.prefix) < len(secret) // 3
    assert authenticate_key(secret) == key


def test_oauth_and_bearer_schemes_open_the_api(client, ctx):
    with unit_of_work():
        _key, secret = create_api_key("deploy", scope="lead", actor=_admin())
    for scheme in ("OAuth", "Bearer", "oauth"):
        response = client.get(PAGE, headers={"Authorization": f"{scheme} {secret}"})
        assert response.status_code == 200, scheme
        assert response.json["id"] == "crier"


def test_missing_wrong_and_revoked_keys_get_401_json(client, ctx):
    with unit_of_work():
        key, secret = create_api_key("deploy", scope="lead", actor=_admin())
    tries = [
        {},
        {"Authorization": "OAuth nope"},
        {"Authorization": f"Basic {secret}"},
        {"Authorization": "OAuth " + secret[:-1]},
        {"Authorization": "OAuth é\x00"},
    ]
    for headers in tries:
        response = client.get(PAGE, headers=headers)
        assert response.status_code == 401, headers
        assert set(response.json) == {"error"} and isinstance(response.json["error"], str)
    with unit_of_work():
        revoke_api_key(key, actor=None)
    response = client.get(PAGE, headers={"Authorization": f"OAuth {secret}"})
    assert response.status_code == 401


def test_a_lead_key_gets_403_json_where_admin_scope_is_needed(client, ctx):
    with unit_of_work():
        _key, secret = create_api_key("deploy", scope="lead", actor=_admin())
    response = client.post(
        f"{PAGE}/components",
        json={"component": {"name": "Search"}},
        headers={"Authorization": f"OAuth {secret}"},
    )
    assert response.status_code == 403
    assert "admin" in response.json["error"]
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 1  # create


def test_last_use_is_written_at_most_once_a_minute(client, ctx):
    with unit_of_work():
        key, secret = create_api_key("deploy", scope="lead", actor=_admin())
    headers = {"Authorization": f"OAuth {secret}"}
    with time_machine.travel(utcnow(), tick=False) as clock:
        client.get(PAGE, headers=headers)
        db.session.refresh(key)
        first = key.last_used_at
        assert first is not None
        clock.shift(timedelta(seconds=30))
        client.get(PAGE, headers=headers)
        db.session.refresh(key)
        assert key.last_used_at == first
        clock.shift(timedelta(seconds=31))
        client.get(PAGE, headers=headers)
        db.session.refresh(key)
        assert key.last_used_at > first


def test_requests_are_limited_per_key(app, client, ctx):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    admin = _admin()
    with unit_of_work():
        _a, first = create_api_key("first", scope="lead", actor=admin)
    with unit_of_work():
        _b, second = create_api_key("second", scope="lead", actor=admin)
    codes = [client.get(PAGE, headers={"Authorization": f"OAuth {first}"}).status_code
             for _ in range(4)]  # fmt: skip
    assert codes == [200, 200, 200, 429]
    limited = client.get(PAGE, headers={"Authorization": f"OAuth {first}"})
    assert isinstance(limited.json["error"], str)
    assert client.get(PAGE, headers={"Authorization": f"OAuth {second}"}).status_code == 200


def test_what_a_key_does_is_audited_as_the_key(client, ctx):
    admin = _admin()
    with unit_of_work():
        _key, secret = create_api_key("pager bridge", scope="lead", actor=admin)
    response = client.post(
        f"{PAGE}/incidents",
        json={"incident": {"name": "Checkout errors", "body": "We are looking into it."}},
        headers={"Authorization": f"OAuth {secret}"},
    )
    assert response.status_code == 201
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="incident.declare"))
    assert event.actor.name == "API key “pager bridge”"
    assert response.json["incident_updates"][0]["posted_by"] == "API key “pager bridge”"
    # The key's creator leads what the key opens: a person the reminders can reach.
    assert response.json["lead_email"] == admin.email
    login(client, admin.email, "correct horse battery staple")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "API key “pager bridge”" in page


def test_a_keys_user_cannot_sign_in_or_be_chosen_as_lead(client, ctx):
    with unit_of_work():
        key, secret = create_api_key("deploy", scope="admin", actor=_admin())
    user = db.session.get(User, key.user_id)
    assert not user.active
    response = login(client, user.email, secret)
    assert response.status_code == 401


def test_cli_creates_a_key_printed_once_and_revokes_it(app, client, runner, ctx):
    result = runner.invoke(args=["api-key", "create", "provisioner", "--scope", "admin"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    headers = {"Authorization": f"OAuth {secret}"}
    assert client.get(PAGE, headers=headers).status_code == 200
    assert db.session.scalar(db.select(ApiKey)).scope == "admin"
    again = runner.invoke(args=["api-key", "create", "provisioner"])
    assert again.exit_code != 0 and "already" in again.output
    result = runner.invoke(args=["api-key", "revoke", "provisioner"])
    assert result.exit_code == 0, result.output
    assert client.get(PAGE, headers=headers).status_code == 401
    assert runner.invoke(args=["api-key", "revoke", "nobody"]).exit_code != 0


def test_a_cli_key_opens_incidents_led_by_its_owner_or_the_on_duty_lead(app, client, runner, ctx):
    """Reminders must reach a person: a key's owner leads what it opens; a key made without
    one hands its incidents to the on-duty lead (as Alertmanager's), or to the lead named."""
    owner = create_user(email="owner@example.com", role="lead")
    result = runner.invoke(args=["api-key", "create", "ci", "--owner", "Owner@example.com"])
    assert result.exit_code == 0, result.output
    owned = {"Authorization": f"OAuth {result.output.strip()}"}
    bare = runner.invoke(args=["api-key", "create", "bare"])
    assert bare.exit_code == 0, bare.output
    ownerless = {"Authorization": f"OAuth {bare.output.strip()}"}
    assert runner.invoke(args=["api-key", "create", "x", "--owner", "no@example.com"]).exit_code
    on_duty = create_user(email="duty@example.com", role="lead")
    create_user(email="boss@example.com", role="admin")
    body = {"incident": {"name": "Elevated errors", "status": "investigating", "body": "Looking."}}

    made = client.post(f"{PAGE}/incidents", json=body, headers=owned)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.json["lead_email"] == "owner@example.com"
    db.session.get(User, owner.id).active = False  # the first lead by id is off duty now
    db.session.commit()
    led = client.post(f"{PAGE}/incidents", json=body, headers=ownerless)
    assert led.status_code == 201, led.get_data(as_text=True)
    assert led.json["lead_email"] == on_duty.email
    named = body | {"incident": body["incident"] | {"lead_email": "boss@example.com"}}
    chosen = client.post(f"{PAGE}/incidents", json=named, headers=ownerless)
    assert chosen.status_code == 201 and chosen.json["lead_email"] == "boss@example.com"


def test_an_ownerless_key_with_nobody_to_lead_is_refused(app, client, runner, ctx):
    bare = runner.invoke(args=["api-key", "create", "bare"])
    ownerless = {"Authorization": f"OAuth {bare.output.strip()}"}
    body = {"incident": {"name": "Elevated errors", "body": "Looking."}}
    refused = client.post(f"{PAGE}/incidents", json=body, headers=ownerless)
    assert refused.status_code == 422 and "lead_email" in refused.json["error"]
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def _owned_key(scope="admin", **kwargs):
    owner = create_user(email="owner@example.com", name="Olga Owner", role="admin")
    boss = create_user(email="boss@example.com", name="Bo Boss", role="admin")
    with unit_of_work():
        key, secret = create_api_key("owned", scope=scope, actor=owner, **kwargs)
    return owner, boss, key, {"Authorization": f"OAuth {secret}"}


def test_a_key_is_suspended_while_its_owner_is_deactivated_or_below_its_scope(client, ctx):
    from app.core.users import change_user

    owner, boss, key, headers = _owned_key("admin")
    assert client.get(f"{PAGE}/subscribers", headers=headers).status_code == 200
    with unit_of_work():
        change_user(db.session.get(User, owner.id), actor=boss, role="lead", active=True)
    refused = client.get(f"{PAGE}/subscribers", headers=headers)
    assert refused.status_code == 403 and refused.is_json
    assert "suspended" in refused.json["error"] and "Olga Owner" in refused.json["error"]
    # Every request, not only the admin ones: the key is suspended, not narrowed.
    assert client.get(f"{PAGE}/components", headers=headers).status_code == 403
    with unit_of_work():
        change_user(db.session.get(User, owner.id), actor=boss, role="admin", active=False)
    assert client.get(f"{PAGE}/components", headers=headers).status_code == 403
    with unit_of_work():
        change_user(db.session.get(User, owner.id), actor=boss, role="admin", active=True)
    assert client.get(f"{PAGE}/subscribers", headers=headers).status_code == 200  # restored
    assert db.session.get(ApiKey, key.id).revoked_at is None


def test_a_lead_key_outlives_its_owners_demotion_to_lead_but_not_to_viewer(client, ctx):
    from app.core.users import change_user

    owner, boss, _key, headers = _owned_key("lead")
    with unit_of_work():
        change_user(db.session.get(User, owner.id), actor=boss, role="lead", active=True)
    assert client.get(f"{PAGE}/components", headers=headers).status_code == 200
    with unit_of_work():
        change_user(db.session.get(User, owner.id), actor=boss, role="viewer", active=True)
    assert client.get(f"{PAGE}/components", headers=headers).status_code == 403


def test_a_key_with_an_expiry_stops_working_then(client, ctx):
    with time_machine.travel(utcnow(), tick=False) as clock:
        _owner, _boss, _key, headers = _owned_key("lead", expires_at=utcnow() + timedelta(days=30))
        assert client.get(f"{PAGE}/components", headers=headers).status_code == 200
        clock.shift(timedelta(days=30, seconds=1))
        refused = client.get(f"{PAGE}/components", headers=headers)
        assert refused.status_code == 401 and "expired" in refused.json["error"]


def test_an_expiry_must_be_in_the_future(ctx):
    import pytest

    from app.core import ServiceError

    with pytest.raises(ServiceError, match="future"), unit_of_work():
        create_api_key(
            "late", scope="lead", actor=_admin(), expires_at=utcnow() - timedelta(minutes=1)
        )


def test_cli_creates_a_key_that_expires(client, runner, ctx):
    result = runner.invoke(args=["api-key", "create", "temp", "--expires", "90d"])
    assert result.exit_code == 0, result.output
    key = db.session.scalar(db.select(ApiKey).filter_by(name="temp"))
    assert timedelta(days=89) < key.expires_at - utcnow() <= timedelta(days=90)
    dated = runner.invoke(args=["api-key", "create", "dated", "--expires", "2031-01-31"])
    assert dated.exit_code == 0, dated.output
    key = db.session.scalar(db.select(ApiKey).filter_by(name="dated"))
    assert key.expires_at.date().isoformat() == "2031-01-31"
    bad = runner.invoke(args=["api-key", "create", "bad", "--expires", "someday"])
    assert bad.exit_code != 0 and "--expires" in bad.output
