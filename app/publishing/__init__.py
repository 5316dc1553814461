"""Publishing: the public site rendered once per change and stored as artifacts: status page,
incident pages, history, feeds, badge, the Statuspage v2 JSON documents, OpenAPI, uptime.

Verbs others may call: ``publish.publish_site``/``publish_changes``/``publish_for_the_clock``/
``current_generation``/``export_site``, ``changes.record_change``/``pending``,
``cache.artifact_cache`` (the read path: stored identity, gzip and brotli bytes picked by
Accept-Encoding, ``encodings``). Imports ``core`` only: it never
imports fan-out or reminders, which follow changes through signals after commit.
"""
