import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.hooks import confirm_slack, subscribe_slack
from app.fanout.stakeholders import create_group
from app.models import Audience, Channel, Dispatch, DispatchStatus, HookSubscriber
from app.slack import HEADER_LIMIT, TEXT_LIMIT, escape, message, slack_url_problem
from tests.factories import create_incident, post_update


def test_user_text_is_escaped_and_cut_to_block_kit_limits():
    payload = message(
        title="T" * 500,
        text="<!channel> & <https://evil|click> " + "x" * 5000,
        facts=[("State", "investigating")],
        link="http://status.example.test/incidents/abc",
    )
    header, fields, section, actions = payload["blocks"]
    assert header["type"] == "header" and len(header["text"]["text"]) == HEADER_LIMIT
    assert fields["fields"][0]["text"] == "State: investigating"
    text = section["text"]["text"]
    assert text.startswith("&lt;!channel&gt; &amp; &lt;https://evil|click&gt; ")
    assert len(text) == TEXT_LIMIT and "<" not in text
    assert actions["elements"][0]["url"] == "http://status.example.test/incidents/abc"
    assert "<!channel>" not in payload["text"] and len(payload["text"]) <= 3000


def test_a_cut_never_splits_an_entity():
    assert escape("a&b") == "a&amp;b"
    text = message(title="t", text="&" * 4000, facts=[], link=None)["blocks"][1]["text"]["text"]
    assert text.endswith("&amp;…")


def test_slack_urls_are_hooks_slack_com_over_https_unless_the_admin_allows_any_host():
    assert slack_url_problem("https://hooks.slack.com/services/T/B/X", any_host=False) is None
    assert slack_url_problem("http://hooks.slack.com/services/T/B/X", any_host=False)
    assert slack_url_problem("https://chat.example.com/hooks/x", any_host=False)
    assert slack_url_problem("http://10.0.0.5/hooks/x", any_host=True) is None


def _confirm_from(hit):
    link = hit.json["blocks"][-1]["elements"][0]["url"]
    return link.rsplit("/", 1)[1]


def test_a_slack_subscriber_confirms_from_the_channel_then_gets_the_external_text(
    hook_app, hook_server
):
    with unit_of_work():
        sub = subscribe_slack(hook_server.url + "/services/T/B/X")
    assert sub.confirmed_at is None
    with unit_of_work():
        confirm_slack(_confirm_from(hook_server.hits[0]))
    update = post_update(create_incident(title="API <down>"), external="Fixing <it> & more.",
                         internal="Secret internal text.")  # fmt: skip
    payload = hook_server.hits[-1].json
    assert payload["blocks"][0]["text"]["text"].endswith("API <down>")  # plain_text header
    assert payload["blocks"][2]["text"]["text"] == "Fixing &lt;it&gt; &amp; more."
    assert "Secret" not in hook_server.hits[-1].raw.decode()
    db.session.expire_all()
    d = db.session.scalar(db.select(Dispatch).filter_by(update=update, channel=Channel.slack))
    assert (d.audience, d.status, d.accepted_count) == (Audience.external, DispatchStatus.sent, 1)


def test_an_unconfirmed_slack_subscriber_gets_nothing(hook_app, hook_server):
    with unit_of_work():
        subscribe_slack(hook_server.url + "/services/T/B/X")
    post_update(create_incident(), external="Hello.")
    assert len(hook_server.hits) == 1  # the confirmation only


def test_slack_subscription_refuses_other_hosts_even_when_the_page_allows_private(
    hook_app, hook_server
):
    from app.core.settings import page_settings

    hook_app.config["HOOK_SUBSCRIBERS_ALLOW_PRIVATE"] = False
    assert page_settings().allow_private_outbound is True  # for the admin's own receivers
    with pytest.raises(ServiceError, match=r"hooks\.slack\.com"), unit_of_work():
        subscribe_slack(hook_server.url + "/services/T/B/X")
    assert hook_server.hits == [] and db.session.scalar(db.select(HookSubscriber)) is None


def test_a_stakeholder_group_slack_channel_gets_the_internal_text(hook_app, hook_server):
    with unit_of_work():
        create_group(name="Support", emails="help@example.com", min_severity="SEV2",
                     slack_webhook_url=hook_server.url + "/services/T/B/support")  # fmt: skip
    update = post_update(
        create_incident(severity="SEV1"), external="Public words.", internal="Internal words."
    )
    (hit,) = hook_server.hits
    assert hit.path == "/services/T/B/support"
    blocks = hit.json["blocks"]
    assert blocks[2]["text"]["text"] == "Internal words."
    assert "Severity: SEV1" in [f["text"] for f in blocks[1]["fields"]]
    assert blocks[3]["elements"][0]["url"].endswith(f"/admin/incidents/{update.incident.public_id}")
    db.session.expire_all()
    d = db.session.scalar(db.select(Dispatch).filter_by(update=update, channel=Channel.slack))
    assert (d.audience, d.accepted_count) == (Audience.internal, 1)
