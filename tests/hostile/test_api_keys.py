"""/api/v1 as an attacker holding a lead key (or none): what it may read, how much mail it can
make Crier send, how fast it may go, and text that lies about itself."""

from app.extensions import db
from app.models import Incident
from tests.api.conftest import admin_key, key_admin, lead_key  # noqa: F401 - fixtures
from tests.conftest import csrf_token
from tests.factories import create_component, create_subscriber

PAGE = "/api/v1/pages/crier"
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
