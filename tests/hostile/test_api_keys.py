"""/api/v1 as an attacker holding a lead key (or none): what it may read, how much mail it can
make Crier send, how fast it may go, and text that lies about itself."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.api_keys import create_api_key
from app.core.uow import unit_of_work
from app.extensions import db, limiter
from app.models import Incident
from tests.api.conftest import admin_key, key_admin, lead_key  # noqa: F401 - fixtures
from tests.conftest import csrf_token
from tests.factories import create_component, create_subscriber, create_user

PAGE = "/api/v1/pages/crier"
ROOT = Path(__file__).resolve().parents[2]
VICTIM = "victim@example.org"
# What only a key that may read subscribers may learn about an address.
PRIVATE = ("confirmed_at", "unsubscribed_at", "quarantined_at")


def _subscribe(client, headers, email=VICTIM, **fields):
    body = {"subscriber": {"email": email, **fields}}
    return client.post(f"{PAGE}/subscribers", json=body, headers=headers)


def test_a_lead_key_learns_nothing_of_an_existing_subscriber(client, lead_key):  # noqa: F811
    """Lead keys read everything but subscribers: subscribing a known address answers exactly
    as for a new one, from the request alone."""
    api = create_component(slug="api", name="API")
    create_component(slug="web", name="Web")
    create_subscriber(email=VICTIM, components=[api], unsubscribed=True)
    known = _subscribe(client, lead_key)
    new = _subscribe(client, lead_key, email="nobody@example.org")
    assert known.status_code == new.status_code == 201
    for response in (known, new):
        data = response.get_json()
        assert data["state"] == "pending" and data["components"] == []
        assert all(data[name] is None for name in PRIVATE)
    assert set(known.get_json()) == set(new.get_json())
    assert known.get_json()["created_at"][:16] == new.get_json()["created_at"][:16]


def test_an_admin_key_still_reads_the_record_it_subscribed(client, admin_key):  # noqa: F811
    create_subscriber(email=VICTIM, unsubscribed=True)
    data = _subscribe(client, admin_key).get_json()
    assert data["state"] in ("pending", "unsubscribed") and data["unsubscribed_at"]


def test_api_confirmation_emails_share_the_public_forms_per_address_limit(
    app,
    client,
    lead_key,  # noqa: F811
    outbox,
):
    """Three confirmation emails an hour per address, however they are asked for: the API and
    the public form count together, and other addresses are not held up."""
    app.config["SUBSCRIBE_ADDRESS_RATE_LIMIT"] = "3 per hour"
    answers = [_subscribe(client, lead_key).status_code for _ in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    assert [m["To"] for m in outbox] == [VICTIM] * 3
    other = _subscribe(client, lead_key, email="Other@Example.org")
    assert other.status_code == 201
    # The public form finds the address's hour already used up.
    token = csrf_token(client, "/subscribe")
    form = client.post("/subscribe", data={"email": VICTIM.upper(), "csrf_token": token})
    assert form.status_code == 429
    assert len([m for m in outbox if m["To"] == VICTIM]) == 3


def test_a_title_cannot_reverse_itself_on_the_page(client, lead_key):  # noqa: F811
    """U+202E in an incident's name makes what follows it read backwards; U+2028 breaks the
    line of a one-line field. Both go at the edge, so no output carries them."""
    body = {"incident": {"name": "Refund\u202egpj.exe\u2028\u2066done", "body": "Looking."}}
    response = client.post(f"{PAGE}/incidents", json=body, headers=lead_key)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "Refundgpj.exe done"
    assert db.session.scalar(db.select(Incident.title)) == "Refundgpj.exe done"
    page = client.get("/").get_data(as_text=True)
    assert "Refundgpj.exe done" in page and "\u202e" not in page


def test_one_key_is_counted_across_every_endpoint(app, client, lead_key):  # noqa: F811
    """The per-key limit is the key's, not the endpoint's: spreading requests over three
    paths buys nothing."""
    app.config["API_RATE_LIMIT"] = "6 per minute"
    paths = [f"{PAGE}/components", f"{PAGE}/incidents", f"{PAGE}/component-groups"]
    answers = [client.get(path, headers=lead_key).status_code for _ in range(3) for path in paths]
    assert answers[:6] == [200] * 6
    assert answers[6:] == [429] * 3
    assert client.get(f"{PAGE}/components", headers=lead_key).is_json


def test_failed_key_authentications_are_limited_per_client(app, client, lead_key):  # noqa: F811
    """Each guessed key used to get a counter of its own: now a client's failures count
    together, and past the limit even the guesses' 401s stop."""
    app.config["API_AUTH_FAILURE_RATE_LIMIT"] = "10 per minute"
    answers = [
        client.get(
            f"{PAGE}/components", headers={"Authorization": f"OAuth crier_guess{n}"}
        ).status_code
        for n in range(14)
    ]
    assert answers == [401] * 10 + [429] * 4
    response = client.get(f"{PAGE}/components", headers=lead_key)
    assert response.status_code == 429 and response.is_json
    # Another client is not held up by this one's guesses.
    other = client.get(
        f"{PAGE}/components", headers=lead_key, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other.status_code == 200


# Another web process: its own interpreter, its own Flask-Limiter, the same REDIS_URL.
OTHER_PROCESS = """
import json, sys
from tests.conftest import make_app
db_url, instance, prefix, secret = sys.argv[1:5]
app = make_app(db_url, instance, RATELIMIT_KEY_PREFIX=prefix, API_RATE_LIMIT="6 per minute",
               API_AUTH_FAILURE_RATE_LIMIT="5 per minute")
client = app.test_client()
page = "/api/v1/pages/crier/components"
codes = [client.get(page, headers={"Authorization": f"OAuth {secret}"}).status_code
         for _ in range(6)]
codes += [client.get(page, headers={"Authorization": "OAuth crier_guess"}).status_code
          for _ in range(5)]
print(json.dumps(codes))
"""


@pytest.mark.lane2
def test_with_redis_a_limit_holds_across_web_processes(app, client, database_url, tmp_path, ctx):
    """What a key and a client used in one process counts in every other (REDIS_URL)."""
    app.config["API_RATE_LIMIT"] = "6 per minute"
    app.config["API_AUTH_FAILURE_RATE_LIMIT"] = "5 per minute"
    admin = create_user(email="ada@example.com", role="admin")
    with unit_of_work():
        _key, secret = create_api_key("spread out", scope="lead", actor=admin)
    # Flask-Limiter keeps the prefix of the first app it met in this process: use that one.
    prefix = limiter._key_prefix
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, database_url, str(tmp_path), prefix, secret],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [200] * 6 + [401] * 5
    headers = {"Authorization": f"OAuth {secret}"}
    assert client.get(f"{PAGE}/incidents", headers=headers).status_code == 429
    other = client.get(f"{PAGE}/incidents", headers={"Authorization": "OAuth crier_x"})
    assert other.status_code == 429  # this client's 5 refused keys were counted there
