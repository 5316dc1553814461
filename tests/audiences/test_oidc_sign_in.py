"""Viewers sign in by OpenID Connect against a real provider (panva's oidc-provider, started
by the test): code + PKCE, state and nonce checked, the ID token's signature, issuer, audience
and expiry checked; the hostile cases: a state not issued by us, a reused state, a callback
in another browser, a code for another client, a tampered nonce, tokens of another issuer or
for another audience or with a broken signature, an open redirect, tampered cookies."""

import base64
import json
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import time_machine
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from app.audiences import oidc
from app.audiences.membership import current_membership
from app.audiences.sessions import COOKIE, read_cookie, revoked
from app.config import ConfigError
from app.core.audit import audit_events
from app.extensions import db
from app.models import (
    AdmissionKind,
    AudienceAdmission,
    PageAudience,
    ViewerOidcStart,
    ViewerSession,
)
from app.publishing.audience_cache import audience_artifacts as homes
from app.publishing.publish import publish_site
from app.sqltypes import utcnow
from tests.factories import create_component, create_incident
from tests.oidc_provider import OidcProvider, sign_in_at_provider

BASE = "http://status.example.test"  # TestConfig's PUBLIC_BASE_URL
CALLBACK = f"{BASE}/viewer/oidc/callback"
SECRET = "crier-test-client-secret-" + "x" * 20
CLIENTS = [
    {"client_id": "crier", "client_secret": SECRET, "redirect_uris": [CALLBACK]},
    {"client_id": "other", "client_secret": SECRET + "-other", "redirect_uris": [CALLBACK]},
]
ACCOUNTS = {
    "ana": {"email": "Ana@Sso-Corp.example", "email_verified": True,
            "groups": ["crier-enterprise", "unrelated"]},
    "ivo": {"email": "ivo@sso-corp.example", "email_verified": False,
            "groups": ["crier-enterprise"]},
    "noa": {"groups": ["crier-enterprise"]},
    "lee": {"email": "lee@sso-corp.example", "email_verified": True, "groups": "crier-staff"},
    "max": {"email": "max@sso-corp.example", "groups": ["crier-staff", "crier-enterprise"]},
}  # fmt: skip


@pytest.fixture(scope="module")
def idp():
    with OidcProvider(clients=CLIENTS, accounts=ACCOUNTS, claims=["groups"]) as provider:
        yield provider


@pytest.fixture(scope="module")
def other_idp():
    """A second provider: another issuer, registering the same client."""
    with OidcProvider(clients=CLIENTS, accounts=ACCOUNTS, claims=["groups"]) as provider:
        yield provider


def _forget():
    for cache in (current_membership, homes, revoked, oidc.provider):
        cache.forget()


@pytest.fixture
def sso(app, idp):
    """An app whose viewers may sign in at ``idp``, with an audience admitting a group."""
    app.config.update(
        VIEWER_OIDC_DISCOVERY_URL=idp.discovery_url,
        VIEWER_OIDC_CLIENT_ID="crier",
        VIEWER_OIDC_CLIENT_SECRET=SECRET,
        VIEWER_OIDC_NAME="Corp SSO",
    )
    with app.app_context():
        _forget()
        create_component(slug="api", name="Public API")
        hidden = create_component(slug="sso", name="Sso_1 cluster", is_public=False)
        create_incident(title="Sso_1 outage", components=[hidden], updates=[("Sso_1 words.", "")])
        staff = create_component(slug="staff", name="Staff_1 tools", is_public=False)
        create_incident(title="Staff_1 outage", components=[staff], updates=[("Staff_1.", "")])
        db.session.add_all(
            [
                PageAudience(
                    name="Enterprise SSO",
                    components=[hidden],
                    admissions=[
                        AudienceAdmission(kind=AdmissionKind.claim, value="crier-enterprise")
                    ],
                ),
                PageAudience(
                    name="Staff",
                    components=[staff],
                    admissions=[AudienceAdmission(kind=AdmissionKind.claim, value="crier-staff")],
                ),
            ]
        )
        db.session.commit()
        publish_site()
        _forget()
        yield app


def start(client, next_path="/"):
    """Follow "Sign in with Corp SSO": the provider's URL the browser is sent to."""
    page = client.get("/viewer/sign-in?" + urlencode({"next": next_path})).get_data(as_text=True)
    link = page.split('rel="nofollow" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert urlsplit(link).path == "/viewer/oidc/start"
    assert parse_qs(urlsplit(link).query)["next"] == [next_path]
    answer = client.get(link)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]
    return answer.location


def callback(client, url):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, sub="ana", next_path="/"):
    return callback(client, sign_in_at_provider(start(client, next_path), sub,
                                                redirect_prefix=CALLBACK))  # fmt: skip


def test_a_viewer_signs_in_with_code_and_pkce_and_sees_their_audiences_page(sso, idp):
    client = sso.test_client()
    page = client.get("/viewer/sign-in").get_data(as_text=True)
    assert "Sign in with Corp SSO" in page
    asked = urlsplit(start(client, "/history"))
    params = parse_qs(asked.query)
    assert f"{asked.scheme}://{asked.netloc}".startswith(idp.issuer)
    assert params["code_challenge_method"] == ["S256"] and params["response_type"] == ["code"]
    assert params["redirect_uri"] == [CALLBACK] and params["client_id"] == ["crier"]
    stored = db.session.scalar(db.select(ViewerOidcStart))
    assert params["state"][0] not in stored.state_hash  # only its hash is kept
    assert params["code_challenge"] == [create_s256_code_challenge(stored.code_verifier)]
    assert params["nonce"] == [stored.nonce]

    back = sign_in_at_provider(asked.geturl(), "ana", redirect_prefix=CALLBACK)
    signed_in = callback(client, back)
    assert signed_in.status_code == 302 and signed_in.location == "/history"
    assert signed_in.headers["Cache-Control"] == "private, no-store"
    viewer = read_cookie(client.get_cookie(COOKIE).value)
    assert viewer.email == "ana@sso-corp.example"
    assert viewer.claims == ("crier-enterprise", "unrelated")  # admitted values first
    session = db.session.scalar(db.select(ViewerSession))
    assert session.method == "oidc"
    [event] = [e for e in audit_events() if e.action == "viewer.sign_in"]
    assert event.detail["method"] == "oidc" and event.detail["email"] == "ana@sso-corp.example"

    home = client.get("/")
    assert b"Sso_1 outage" in home.data and b"Staff_1" not in home.data
    assert home.headers["Cache-Control"] == "private, no-cache"
    assert "Enterprise SSO" in client.get("/viewer").get_data(as_text=True)
    assert b"Sso_1" not in sso.test_client().get("/").data  # anonymous: the public page

    again = callback(client, back)  # the same callback again (a replay): the state is spent
    assert again.status_code == 400
    assert not [c for c in again.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    assert db.session.scalar(db.select(db.func.count(ViewerSession.id))) == 1


def test_a_string_claim_admits_too(sso):
    client = sso.test_client()
    assert sign_in(client, "lee").status_code == 302
    home = client.get("/")
    assert b"Staff_1 outage" in home.data and b"Sso_1" not in home.data


def test_a_mix_of_claim_values_no_page_exists_for_is_published_at_sign_in(sso):
    from app.models import AudienceArtifact

    assert db.session.scalar(db.select(db.func.count(AudienceArtifact.key.distinct()))) == 2
    client = sso.test_client()
    assert sign_in(client, "max").status_code == 302
    _forget()  # the interval passed
    home = client.get("/")
    assert b"Staff_1 outage" in home.data and b"Sso_1 outage" in home.data
    assert db.session.scalar(db.select(db.func.count(AudienceArtifact.key.distinct()))) == 3


def test_reading_a_signed_in_page_costs_no_query_between_checks(sso):
    from sqlalchemy import event

    client = sso.test_client()
    sign_in(client, "max")  # two claim values: their own set
    sso.config["PUBLISH_CHECK_SECONDS"] = 60
    _forget()
    assert b"Staff_1 outage" in client.get("/").data  # the pages and lists are read once
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(50):
            assert b"Sso_1 outage" in client.get("/").data
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_state_not_issued_by_us_is_refused(sso):
    client = sso.test_client()
    forged = secrets.token_urlsafe(32)
    client.set_cookie("crier_viewer_oidc", forged, path="/viewer/oidc")
    answer = client.get(f"/viewer/oidc/callback?code=abc&state={forged}")
    assert answer.status_code == 400
    assert "expired or was already used" in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(ViewerSession)) is None


def test_a_callback_in_another_browser_is_refused_and_spends_nothing(sso):
    mine = sso.test_client()
    back = sign_in_at_provider(start(mine), "ana", redirect_prefix=CALLBACK)
    attacker = sso.test_client()  # login CSRF: the victim's browser has no such sign-in
    assert callback(attacker, back).status_code == 400
    assert attacker.get_cookie(COOKIE) is None
    assert callback(mine, back).status_code == 302  # the real browser still finishes


def test_a_code_issued_to_another_client_is_refused(sso, idp):
    client = sso.test_client()
    ours = urlsplit(start(client))
    params = {k: v[0] for k, v in parse_qs(ours.query).items()}
    verifier = secrets.token_urlsafe(64)
    params.update(client_id="other", code_challenge=create_s256_code_challenge(verifier))
    theirs = f"{ours.scheme}://{ours.netloc}{ours.path}?{urlencode(params)}"
    back = sign_in_at_provider(theirs, "ana", redirect_prefix=CALLBACK)
    answer = callback(client, back)  # our state, another client's code
    assert answer.status_code == 400 and client.get_cookie(COOKIE) is None
    [refusal] = [e for e in audit_events() if e.action == "viewer.sign_in_refused"]
    assert refusal.detail["reason"].startswith("token: HTTP 400")


def test_an_id_token_with_another_nonce_is_refused(sso):
    client = sso.test_client()
    ours = urlsplit(start(client))
    params = {k: v[0] for k, v in parse_qs(ours.query).items()}
    params["nonce"] = secrets.token_urlsafe(32)  # the provider signs what it was sent
    tampered = f"{ours.scheme}://{ours.netloc}{ours.path}?{urlencode(params)}"
    answer = callback(client, sign_in_at_provider(tampered, "ana", redirect_prefix=CALLBACK))
    assert answer.status_code == 400 and client.get_cookie(COOKIE) is None
    [refusal] = [e for e in audit_events() if e.action == "viewer.sign_in_refused"]
    assert "nonce" in refusal.detail["reason"]


def _id_token(provider, *, client_id="crier", secret=SECRET, nonce="n" * 43, sub="ana"):
    """An ID token the provider really issues, by the code flow run from the test."""
    verifier = secrets.token_urlsafe(64)
    query = urlencode(
        {
            "response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
            "scope": "openid email profile", "state": "s" * 30, "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )  # fmt: skip
    back = sign_in_at_provider(f"{provider.issuer}/auth?{query}", sub, redirect_prefix=CALLBACK)
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = requests.post(
        f"{provider.issuer}/token", auth=(client_id, secret), timeout=10,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["id_token"]


def _refusal(token, nonce="n" * 43) -> str:
    with pytest.raises(oidc.SignInFailed) as refused:
        oidc.check_id_token(token, nonce=nonce)
    return refused.value.reason


def test_id_tokens_of_another_issuer_audience_nonce_or_signature_are_refused(sso, idp, other_idp):
    good = _id_token(idp)
    assert oidc.check_id_token(good, nonce="n" * 43)["email"] == "Ana@Sso-Corp.example"
    assert "nonce" in _refusal(good, nonce="m" * 43)
    assert "aud" in _refusal(_id_token(idp, client_id="other", secret=SECRET + "-other"))
    # Another provider's token. Both sign with oidc-provider's development keys, so the
    # signature holds against our provider's keys: only the issuer tells it apart.
    assert "iss" in _refusal(_id_token(other_idp))
    head, body, signature = good.split(".")
    flipped = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    assert "Signature" in _refusal(f"{head}.{body}.{flipped}")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["groups"] = ["crier-staff"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert "Signature" in _refusal(f"{head}.{forged}.{signature}")
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    assert _refusal(f"{unsigned}.{body}.")
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        assert "exp" in _refusal(good)


@pytest.mark.parametrize(("sub", "text"), [("ivo", "not verified"), ("noa", "no email address")])
def test_an_unverified_address_or_none_does_not_sign_in(sso, sub, text):
    client = sso.test_client()
    answer = sign_in(client, sub)
    assert answer.status_code == 403 and text in answer.get_data(as_text=True)
    assert client.get_cookie(COOKIE) is None
    assert db.session.scalar(db.select(ViewerSession)) is None


@pytest.mark.parametrize(
    "asked", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/admin/users"]
)
def test_next_never_leaves_the_site_through_openid_connect(sso, asked):
    signed_in = sign_in(sso.test_client(), next_path=asked)
    assert signed_in.status_code == 302 and signed_in.location == "/"


def test_a_cookie_whose_claims_were_changed_opens_nothing(sso):
    client = sso.test_client()
    sign_in(client)
    value = client.get_cookie(COOKIE).value
    body, mac = value.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["c"] = ["crier-staff", "crier-enterprise"]
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    assert read_cookie(f"{forged}.{mac}") is None
    other = sso.test_client()
    other.set_cookie(COOKIE, f"{forged}.{mac}")
    assert other.get("/").data == sso.test_client().get("/").data


def test_a_provider_that_does_not_answer_is_a_clear_page_never_a_500(sso):
    from tests.livestack import free_port

    sso.config["VIEWER_OIDC_DISCOVERY_URL"] = (
        f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    )
    oidc.provider.forget()
    answer = sso.test_client().get("/viewer/oidc/start?next=/")
    assert answer.status_code == 502
    assert "did not answer as expected" in answer.get_data(as_text=True)


def test_without_settings_there_is_no_button_and_no_route(app):
    client = app.test_client()
    assert "Sign in with" not in client.get("/viewer/sign-in").get_data(as_text=True)
    assert client.get("/viewer/oidc/start").status_code == 404
    assert client.get("/viewer/oidc/callback?state=x&code=y").status_code == 404


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"VIEWER_OIDC_DISCOVERY_URL": "https://idp.example/.well-known/openid-configuration"},
         "needs VIEWER_OIDC_CLIENT_ID, VIEWER_OIDC_CLIENT_SECRET too"),
        ({"VIEWER_OIDC_DISCOVERY_URL": "idp.example", "VIEWER_OIDC_CLIENT_ID": "crier",
          "VIEWER_OIDC_CLIENT_SECRET": "s"}, "VIEWER_OIDC_DISCOVERY_URL must be a https://"),
        ({"VIEWER_OIDC_CLAIM": ""}, "VIEWER_OIDC_CLAIM must name a claim"),
    ],
)  # fmt: skip
def test_openid_connect_settings_are_all_or_none(app_factory, given, message):
    with pytest.raises(ConfigError, match=message):
        app_factory(**given)


def test_check_config_never_prints_the_client_secret(tmp_path):
    from tests.test_check_config import check_config

    done = check_config(
        tmp_path,
        VIEWER_OIDC_DISCOVERY_URL="https://idp.example/.well-known/openid-configuration",
        VIEWER_OIDC_CLIENT_ID="crier",
        VIEWER_OIDC_CLIENT_SECRET=SECRET,
    )
    assert "VIEWER_OIDC_CLIENT_ID=crier" in done.stdout
    assert "VIEWER_OIDC_CLIENT_SECRET=" in done.stdout
    assert SECRET not in done.stdout + done.stderr
    assert "problem: the OpenID Connect provider (https://idp.example/" in done.stderr


def test_check_config_reaches_the_provider(tmp_path, idp):
    from tests.test_check_config import check_config

    done = check_config(
        tmp_path,
        VIEWER_OIDC_DISCOVERY_URL=idp.discovery_url,
        VIEWER_OIDC_CLIENT_ID="crier",
        VIEWER_OIDC_CLIENT_SECRET=SECRET,
    )
    assert "OpenID Connect provider" not in done.stderr, done.stderr


def test_a_provider_that_refuses_the_sign_in_gives_a_clear_page(sso):
    client = sso.test_client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    answer = client.get(f"/viewer/oidc/callback?error=access_denied&state={state}")
    assert answer.status_code == 403
    assert "did not sign you in" in answer.get_data(as_text=True)
    assert client.get_cookie(COOKIE) is None
    [refusal] = [e for e in audit_events() if e.action == "viewer.sign_in_refused"]
    assert refusal.detail["reason"] == "provider: access_denied"
    again = client.get(f"/viewer/oidc/callback?code=x&state={state}")
    assert again.status_code == 400  # spent


def test_a_claim_value_no_longer_admitted_locks_the_viewer_out_within_the_interval(sso):
    client = sso.test_client()
    sign_in(client)
    assert b"Sso_1 outage" in client.get("/").data
    audience = db.session.scalar(db.select(PageAudience).filter_by(name="Enterprise SSO"))
    audience.admissions = []
    db.session.commit()
    publish_site()
    _forget()  # the interval passed (PUBLISH_CHECK_SECONDS)
    page = client.get("/")
    assert b"Sso_1" not in page.data and b"Public API" in page.data
