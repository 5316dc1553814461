"""Admins see who is signed in to audience pages (address, how, when) and revoke a session:
CSRF-checked, audited, dead at once in this process and within the check interval in others."""

import json

from app.audiences.sessions import COOKIE, cookie_for, read_cookie, revoked
from app.core.audit import audit_events
from app.extensions import db
from app.models import ViewerSession
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user


def _session(email, method="email", claims=None):
    session = ViewerSession(
        email=email, method=method, claims=json.dumps(claims) if claims else None
    )
    db.session.add(session)
    db.session.commit()
    return session


def test_an_admin_lists_viewer_sessions_and_revokes_one(ctx, app):
    revoked.forget()
    create_user(email="admin@example.com", role="admin")
    bo = _session("bo@corp.example")
    ana = _session("ana@sso.example", "oidc", ["crier-enterprise"])
    gone = _session("old@corp.example")
    with app.test_request_context():
        bo_cookie, ana_cookie = cookie_for(bo), cookie_for(ana)
    console = app.test_client()
    login(console, "admin@example.com", PASSWORD)
    gone.revoked_at = gone.created_at
    db.session.commit()

    page = console.get("/admin/audiences/viewers").get_data(as_text=True)
    assert "bo@corp.example" in page and "email link" in page
    assert "ana@sso.example" in page and "OpenID Connect" in page and "crier-enterprise" in page
    assert "old@corp.example" not in page  # revoked already

    url = f"/admin/audiences/viewers/{ana.public_id}/revoke"
    assert console.post(url).status_code == 400  # no CSRF token
    assert read_cookie(ana_cookie) is not None
    token = csrf_token(console, "/admin/audiences/viewers")
    done = console.post(url, data={"csrf_token": token})
    assert done.status_code == 302 and done.location.endswith("/admin/audiences/viewers")
    assert read_cookie(ana_cookie) is None  # this process knows at once
    assert read_cookie(bo_cookie) is not None
    [event] = [e for e in audit_events() if e.action == "viewer.revoke"]
    assert event.detail == {"email": "ana@sso.example", "method": "oidc"}
    assert event.actor.email == "admin@example.com"
    revoked.forget()  # another process, at its next check
    assert read_cookie(ana_cookie) is None
    viewer = app.test_client()
    viewer.set_cookie(COOKIE, ana_cookie)
    assert viewer.get("/viewer").status_code == 302  # signed out
    missing = console.post("/admin/audiences/viewers/nosuchsessi/revoke",
                           data={"csrf_token": token})  # fmt: skip
    assert missing.status_code == 404


def test_only_admins_see_the_viewer_list(ctx, app):
    create_user(email="lead@example.com", role="lead")
    _session("bo@corp.example")
    anonymous = app.test_client().get("/admin/audiences/viewers")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    lead = app.test_client()
    login(lead, "lead@example.com", PASSWORD)
    assert lead.get("/admin/audiences/viewers").status_code == 403
