"""Per-recipient placeholders reach the HTML part escaped, whatever authors typed."""

from app.core.uow import unit_of_work
from app.email.message import substitute
from app.fanout.stakeholders import create_group
from app.models import Severity
from tests.factories import create_component, create_incident, create_subscriber, post_update

HOSTILE = "<img src=x onerror=alert(1)>"


def _html(body):
    return next(c["value"] for c in body["content"] if c["type"] == "text/html")


def test_placeholders_typed_by_authors_are_not_substituted_in_html(sendgrid_app, sendgrid_server):
    api = create_component(slug="api", name=HOSTILE)
    create_subscriber(email="reader@example.com", components=[api])
    incident = create_incident(title="Down %%reason%% %%unsubscribe_url%%", components=[api])
    post_update(incident, external="Body says %%reason%% and %%reason_html%%.")
    (request,) = sendgrid_server.accepted
    personalization = request.body["personalizations"][0]
    html = substitute(_html(request.body), personalization["substitutions"])  # as SendGrid does
    assert HOSTILE not in html
    assert "you subscribed to &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Down %&#37;reason%&#37; %&#37;unsubscribe_url%&#37;" in html
    assert "Body says %&#37;reason%&#37; and %&#37;reason_html%&#37;." in html
    text = next(c["value"] for c in request.body["content"] if c["type"] == "text/plain")
    text = substitute(text, personalization["substitutions"])
    assert f"You get this because you subscribed to {HOSTILE}." in text  # text stays plain


def test_memory_backend_html_escapes_the_reason(app, ctx, outbox):
    api = create_component(slug="api", name="API %%reason%%")
    create_subscriber(email="reader@example.com", components=[api])
    post_update(create_incident(title=f"Title {HOSTILE} %%reason%%", components=[api]))
    html = outbox[0].get_body(("html",)).get_content()
    assert HOSTILE not in html
    assert "you subscribed to API &#37;&#37;reason&#37;&#37;." in html


def test_stakeholder_group_names_are_escaped_in_internal_html(sendgrid_app, sendgrid_server):
    with unit_of_work():
        create_group(name=f"Ops {HOSTILE}", emails="ops@corp.example", min_severity="SEV3")
    incident = create_incident(title="Down %%reason%%", severity=Severity.SEV2)
    post_update(incident, external="", internal="Failover.")
    (request,) = sendgrid_server.accepted
    subs = request.body["personalizations"][0]["substitutions"]
    html = substitute(_html(request.body), subs)
    assert HOSTILE not in html
    assert "Ops &lt;img src=x onerror=alert(1)&gt; stakeholder group" in html
