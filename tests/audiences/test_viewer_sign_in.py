"""Viewers sign in by an emailed link (sent to a real SMTP server), separate from staff; the
hostile cases: forged, expired and reused links, tampered cookies, an open redirect."""

import base64
import json
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event

from app.audiences.sessions import COOKIE, read_cookie, revoked
from app.core.audit import audit_events
from app.extensions import db
from app.models import AdmissionKind, AudienceAdmission, PageAudience, ViewerLink, ViewerSession
from app.sqltypes import utcnow
from tests.conftest import csrf_token


@pytest.fixture
def mail_client(smtp_app):
    db.session.add(
        PageAudience(
            name="Enterprise",
            admissions=[
                AudienceAdmission(kind=AdmissionKind.domain, value="corp.example"),
                AudienceAdmission(kind=AdmissionKind.email, value="ana@gmail.com"),
            ],
        )
    )
    db.session.commit()
    revoked.forget()
    return smtp_app.test_client()


def ask(client, email, next_path=""):
    url = "/viewer/sign-in" + (f"?next={next_path}" if next_path else "")
    token = csrf_token(client, url)
    data = {"email": email, "csrf_token": token, "next": next_path}
    return client.post("/viewer/sign-in", data=data)


def emailed_link(smtp_server, to):
    [message] = [m for r, m in smtp_server.messages if r == [to]]
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/viewer/link/(\S+)", text).group(1)


def follow(client, token):
    url = f"/viewer/link/{token}"
    asked = client.get(url)
    if asked.status_code != 200:
        return asked
    return client.post(url, data={"csrf_token": csrf_token(client, url)})


def test_an_admitted_viewer_signs_in_from_the_emailed_link_once(mail_client, smtp_server):
    answer = ask(mail_client, "Bo@Corp.Example", "/history")
    assert answer.status_code == 200 and "Check your inbox" in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "private, no-store"
    token = emailed_link(smtp_server, "bo@corp.example")
    stored = db.session.scalar(db.select(ViewerLink))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(minutes=15)

    assert mail_client.get(f"/viewer/link/{token}").status_code == 200  # a scanner's GET
    signed_in = follow(mail_client, token)
    assert signed_in.status_code == 302 and signed_in.location == "/history"
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = mail_client.get("/viewer").get_data(as_text=True)
    assert "Signed in as bo@corp.example" in home and "Enterprise" in home
    assert [e.detail["email"] for e in audit_events() if e.action == "viewer.sign_in"] == [
        "bo@corp.example"
    ]

    mail_client.delete_cookie(COOKIE)
    again = follow(mail_client, token)
    assert again.status_code == 404 and "already used" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ViewerSession.id))) == 1


def test_an_address_no_audience_admits_gets_the_same_answer_and_no_email(mail_client, smtp_server):
    for email in ("eve@gmail.com", "eve@evil.example"):
        answer = ask(mail_client, email)
        assert answer.status_code == 200 and "Check your inbox" in answer.get_data(as_text=True)
    assert smtp_server.messages == []
    assert ask(mail_client, "ana@gmail.com").status_code == 200  # listed one by one
    assert emailed_link(smtp_server, "ana@gmail.com")


def test_an_expired_link_is_refused(mail_client, smtp_server):
    ask(mail_client, "bo@corp.example")
    token = emailed_link(smtp_server, "bo@corp.example")
    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1)):
        refused = follow(mail_client, token)
    assert refused.status_code == 404 and "expired" in refused.get_data(as_text=True)
    assert COOKIE not in refused.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "token", ["A" * 43, "x", "9" * 25, "%00" * 30, "a" * 5000, "../../admin/users"]
)
def test_a_forged_link_is_refused(mail_client, token):
    response = follow(mail_client, token)
    assert response.status_code == 404
    assert db.session.scalar(db.select(ViewerSession)) is None


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/history", "/history"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/admin/users", "/"),
        ("/login?next=//evil.example", "/"),
        ("", "/"),
    ],
)
def test_next_never_leaves_the_site_nor_goes_to_the_console(mail_client, smtp_server, asked, lands):
    ask(mail_client, "bo@corp.example", asked)
    signed_in = follow(mail_client, emailed_link(smtp_server, "bo@corp.example"))
    assert signed_in.status_code == 302 and signed_in.location == lands


def _signed_in(client, smtp_server) -> str:
    ask(client, "bo@corp.example")
    follow(client, emailed_link(smtp_server, "bo@corp.example"))
    return client.get_cookie(COOKIE).value


def _tampered(value: str) -> str:
    body, mac = value.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["e"] = "ceo@corp.example"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{forged}.{mac}"


def test_a_tampered_or_foreign_cookie_opens_nothing(mail_client, smtp_server, app_factory):
    value = _signed_in(mail_client, smtp_server)
    assert read_cookie(value) is not None
    body, mac = value.split(".")
    for bad in (
        _tampered(value),
        f"{body}.{'A' * len(mac)}",
        f"{body}.",
        value + ".x",
        "x" * 2000,
        "",
        "ü.ü",
    ):
        assert read_cookie(bad) is None, bad
        client = mail_client.application.test_client()
        client.set_cookie(COOKIE, bad)
        assert client.get("/viewer").status_code == 302
    other = app_factory(SECRET_KEY="another-key-entirely-" + "x" * 20)
    with other.app_context():
        assert read_cookie(value) is None


def test_a_viewer_session_never_opens_the_console(mail_client, smtp_server):
    _signed_in(mail_client, smtp_server)
    response = mail_client.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_signing_out_ends_the_session_on_the_server(mail_client, smtp_server):
    value = _signed_in(mail_client, smtp_server)
    token = csrf_token(mail_client, "/viewer")
    out = mail_client.post("/viewer/sign-out", data={"csrf_token": token})
    assert "signed out" in out.get_data(as_text=True)
    assert db.session.scalar(db.select(ViewerSession)).revoked_at is not None
    stolen = mail_client.application.test_client()
    stolen.set_cookie(COOKIE, value)  # the old cookie, kept by someone
    assert stolen.get("/viewer").status_code == 302
    revoked.forget()  # another process, reading the list afresh
    assert read_cookie(value) is None
    assert [e.action for e in audit_events()][:2] == ["viewer.sign_out", "viewer.sign_in"]


def test_reading_a_session_costs_no_query_between_checks(mail_client, smtp_server):
    value = _signed_in(mail_client, smtp_server)
    mail_client.application.config["PUBLISH_CHECK_SECONDS"] = 60
    revoked.forget()
    read_cookie(value)  # the list is read once
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(100):
            assert read_cookie(value) is not None
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


def test_sign_in_links_are_rate_limited_per_address(mail_client, smtp_server):
    codes = [ask(mail_client, "bo@corp.example").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(smtp_server.messages) == 3


def test_sign_in_links_are_rate_limited_per_client(mail_client, smtp_server):
    mail_client.application.config["VIEWER_SIGN_IN_RATE_LIMIT"] = "2 per hour"
    codes = [ask(mail_client, f"u{i}@corp.example").status_code for i in range(3)]
    assert codes == [200, 200, 429]
