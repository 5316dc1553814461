"""What every domain shares: the error a person can fix, the unit of work, page settings, users,
audit, heartbeat.

``uow.unit_of_work``/``transactional``/``run_unit_of_work`` open and commit the one transaction
of a request, task or command; ``uow.after_commit`` queues a signal for after it. Verbs others
may call: ``settings.page_settings``/``update_settings``, ``users.create_user``/
``authenticate``/``update_profile``, ``audit.record``/``audit_events``,
``worker.record_heartbeat``/``worker_status``. Imports models and nothing of the other domains.
"""

from app.core.errors import ServiceError

__all__ = ["ServiceError"]
