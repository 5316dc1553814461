"""``POST /api/v1/alertmanager``: Alertmanager's webhook receiver (payload version 4), with a
lead key in ``http_config.authorization``. A malformed body is a 400 and changes nothing; a
malformed alert or one naming no known component is reported and the others still count."""

from flask import abort, jsonify

from app.alerts.payload import PayloadError, parse_notification
from app.alerts.receive import receive_alerts
from app.api.v1 import bp
from app.api.v1.validation import checked
from app.auth.api_keys import acting_user, require_scope
from app.core.uow import Conflict, run_unit_of_work
from app.models import Role


@bp.post("/alertmanager")
@require_scope(Role.lead)
def receive_alertmanager():
    """Record the notification's alerts; say what changed, what was unknown or malformed."""
    try:
        notification = parse_notification(checked("alertmanager"))
    except PayloadError as exc:
        abort(400, description=str(exc))
    # An HA pair of Alertmanagers may send the same new alert at once: the one that loses the
    # race reads again, and it is the repeat it is.
    try:
        outcome = run_unit_of_work(
            lambda: receive_alerts(notification, actor=acting_user()), conflict_retries=1
        )
    except Conflict:
        response = jsonify(error="The alerts changed while recording them; retry.")
        response.status_code, response.headers["Retry-After"] = 503, "1"
        return response
    return jsonify(outcome.as_json(notification.errors))
