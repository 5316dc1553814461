"""Every HTTP request Crier makes to a URL someone typed (reminder webhooks today; webhook
and Slack channels later) goes through here, and nowhere else.

Rules: http(s) only, no credentials in the URL, no redirects followed, the host resolved once
and every address checked (loopback, link-local, private, multicast, reserved and unspecified
refused unless the caller passes ``allow_private=True``), the connection made to exactly the
address that was checked, bounded timeouts and a bounded read. Imports nothing of the app.

Verbs: ``post_json``, ``check_url``, ``address_problem``; errors are ``OutboundError``.
"""

from app.outbound.addresses import address_problem
from app.outbound.client import OutboundError, Response, check_url, post_json

__all__ = ["OutboundError", "Response", "address_problem", "check_url", "post_json"]
