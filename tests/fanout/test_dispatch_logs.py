"""Every failure a dispatch meets is logged with the dispatch and the incident it concerns."""

import logging

from app.extensions import db
from app.models import Dispatch
from tests.factories import create_incident, create_subscribers, post_update
from tests.servers import free_port


def test_an_smtp_server_refusing_connections_is_logged_with_the_dispatch_and_incident(
    app, app_factory, caplog
):
    closed_port = free_port()  # nothing listens there: "Connection refused"
    mail_app = app_factory(
        EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port, DISPATCH_RETRIES=1
    )
    with mail_app.app_context(), caplog.at_level(logging.INFO):
        create_subscribers(3)
        incident = create_incident(title="Checkout is down", is_public=True)
        public_id = incident.public_id
        update = post_update(incident)  # immediate queue: the dispatch runs, and fails
        dispatch_id = db.session.scalar(db.select(Dispatch.id).filter_by(update_id=update.id))

    refused = [r for r in caplog.records if "Connection refused" in r.getMessage()]
    assert len(refused) >= 2, caplog.text  # the first try's, and the pause after the retry
    for record in refused:
        assert record.dispatch_id == dispatch_id and record.incident == public_id
        assert f"dispatch {dispatch_id} (incident {public_id}" in record.getMessage()
