from app.core.users import authenticate
from app.extensions import db
from app.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    MessageTemplate,
    StakeholderGroup,
    User,
)


def test_create_user_reads_the_password_from_the_environment(runner, ctx, monkeypatch):
    monkeypatch.setenv("CRIER_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "Ada@Example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Created admin ada@example.com." in result.output
    assert authenticate("ada@example.com", "a long enough password").role == "admin"


def test_create_user_prompts_for_the_password(runner, ctx, monkeypatch):
    monkeypatch.delenv("CRIER_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-user", "lena@example.com"], input="typed password 1\ntyped password 1\n"
    )
    assert result.exit_code == 0, result.output
    assert authenticate("lena@example.com", "typed password 1").role == "viewer"


def test_create_user_refuses_bad_input_with_a_message(runner, ctx, monkeypatch):
    monkeypatch.setenv("CRIER_PASSWORD", "short")
    result = runner.invoke(args=["create-user", "lena@example.com"])
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    monkeypatch.setenv("CRIER_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "not-an-address"])
    assert "not valid" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_seed_demo_builds_a_believable_page_once(runner, ctx, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    email, password = (app.instance_path + "/demo-login.txt", None)[0], None
    with open(email) as fh:
        email, password = fh.read().split()
    assert f"as {email} with password {password}" in result.output
    assert authenticate(email, password).role == "admin"

    def count(model):
        return db.session.scalar(db.select(db.func.count()).select_from(model))

    assert count(ComponentGroup) == 4 and count(Component) == 14
    assert count(StakeholderGroup) == 2
    # 5 incident states (with postmortem) + 5 maintenance states (with cancelled) x 2 audiences
    assert count(MessageTemplate) == 20
    open_incidents = db.session.scalars(db.select(Incident).filter_by(state="identified")).all()
    assert [i.title for i in open_incidents] == ["Elevated API error rates"]
    assert db.session.scalar(db.select(Incident.id).filter_by(kind="maintenance")) is not None
    oldest = db.session.scalar(db.select(db.func.min(ComponentStatusChange.at)))
    assert oldest is not None

    again = runner.invoke(args=["seed-demo"])
    assert "already set up" in again.output
    assert count(Component) == 14 and count(MessageTemplate) == 20


def test_check_config_refuses_a_stored_sender_without_a_real_domain(app, app_factory):
    # ``app`` only for its teardown, which empties the tables: the Setting row made here must
    # not become the next test's settings (test_headers found its brand colour overridden).
    from app.models import Setting

    mail_app = app_factory(EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.test-key")
    with mail_app.app_context():
        db.session.add(Setting(page_name="Acme", timezone="UTC", mail_from="ops@localhost"))
        db.session.commit()
    with mail_app.app_context():  # as the flask command line has it
        result = mail_app.test_cli_runner().invoke(args=["check-config"])
    assert result.exit_code == 1, result.output
    assert "needs a real domain, not 'localhost'" in result.output
    assert "configuration OK" not in result.output
    with mail_app.app_context():
        db.session.execute(db.update(Setting).values(mail_from="Acme <status@acme.com>"))
        db.session.commit()
    with mail_app.app_context():
        result = mail_app.test_cli_runner().invoke(args=["check-config"])
    assert result.exit_code == 0 and "configuration OK" in result.output


def test_seed_demo_incidents_have_their_moments_in_order(runner, ctx):
    """The demo builds incidents directly, not through the declare verb: it must still record
    the moments, or the incident page and the reports show "not yet" and a 0 s first update."""
    from app.incidents.moments import moments_of

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    incidents = db.session.scalars(db.select(Incident).filter_by(kind="incident")).all()
    assert len(incidents) > 5
    for incident in incidents:
        assert incident.impact_started_at and incident.detected_at and incident.engaged_at
        moments = [m.at for m in moments_of(incident) if m.at is not None]
        assert moments == sorted(moments), incident.title
        if incident.state == "resolved":
            assert incident.mitigated_at is not None
    assert any(i.impact_started_at < i.detected_at for i in incidents)  # a backdated start


def test_seed_demo_has_a_customer_and_an_internal_audience_each_with_its_own_incident(runner, ctx):
    from app.audiences.membership import load_membership
    from app.audiences.readers import floor_viewer, list_audiences, viewer_for
    from app.audiences.rule import visible
    from app.demo import CUSTOMER_VIEWER, STAFF_VIEWER

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    audiences = {a.name: a for a in list_audiences()}
    assert {a.kind.value for a in audiences.values()} == {"customer", "internal"}
    membership = load_membership()
    public, incidents = floor_viewer(), db.session.scalars(db.select(Incident)).all()
    for email in (CUSTOMER_VIEWER, STAFF_VIEWER):
        ids = membership.ids_for(email)
        assert len(ids) == 1, email
        viewer = viewer_for([a for a in audiences.values() if a.public_id in ids])
        own = [i.title for i in incidents if visible(viewer, i) and not visible(public, i)]
        assert len(own) == 1, (email, own)
        hidden = [c for c in db.session.scalars(db.select(Component)) if not c.is_public]
        assert sum(visible(viewer, c) for c in hidden) == 1
