"""What every domain shares: the error a person can fix, page settings, users, audit, heartbeat.

Verbs others may call: ``settings.page_settings``/``update_settings``, ``users.create_user``/
``authenticate``/``update_profile``, ``audit.record``/``audit_events``,
``worker.record_heartbeat``/``worker_status``. Imports models and nothing of the other domains.
"""

from app.core.errors import ServiceError

__all__ = ["ServiceError"]
