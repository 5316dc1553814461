"""A time written in an update's text is published as the page's own times are: a <time>
with its UTC moment, so the reader's browser shows one zone for every fact."""

from datetime import UTC, datetime

import time_machine

from app.core.uow import unit_of_work
from app.extensions import db
from app.incidents.drafts import UpdateDraft
from app.incidents.lifecycle import declare_incident
from app.models import PublishedArtifact
from app.publishing.publish import publish_site
from tests.factories import create_settings, create_user


def test_a_promised_time_in_the_text_is_published_as_a_time_element(ctx):
    create_settings(timezone="Europe/Berlin")
    lead = create_user()
    with time_machine.travel(datetime(2026, 12, 3, 7, 33, tzinfo=UTC), tick=False):
        with unit_of_work():
            incident = declare_incident(
                UpdateDraft(
                    external_body="Next update by 2026-12-03 08:48 CET.",
                    next_update_by=datetime(2026, 12, 3, 7, 48, tzinfo=UTC),  # as the text says
                ),
                title="Payments slow",
                actor=lead,
            )
        publish_site()
    page = db.session.scalar(
        db.select(PublishedArtifact).filter_by(path=f"/incidents/{incident.public_id}")
    )
    html = page.body.decode()
    assert '<time datetime="2026-12-03T07:48:00.000Z">2026-12-03 08:48 CET</time>' in html
    atom = db.session.scalar(db.select(PublishedArtifact).filter_by(path="/history.atom"))
    assert "2026-12-03T07:48:00.000Z" in atom.body.decode()  # the feed's HTML too
