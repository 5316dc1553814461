"""Publishing: the public site rendered once per change and stored as artifacts: status page,
incident pages, history, feeds, badge, the Statuspage v2 JSON documents, OpenAPI, uptime.

Verbs others may call: ``publish.publish_site``/``publish_changes``/``publish_for_the_clock``/
``current_generation``/``export_site``, ``changes.pending``, ``cache.artifact_cache`` (the read
path: stored identity, gzip and brotli bytes picked by Accept-Encoding, ``encodings``), and
for each set of audiences ``audience_pages`` (rendered with every publish, only for the sets a
change reaches) and ``audience_cache`` (their read path). Its
outbox has one door, ``outbox.record_change``, reached through ``public_changed`` inside the
changing transaction. Imports ``core`` only: it never imports fan-out or reminders.
"""
