"""Message templates: the editable texts per (kind, state, audience), the sandbox that renders
them, the defaults, and the prefill of an update's external and internal texts from an incident.

Verbs others may call: ``prefill.prefill``/``incident_url``, ``sandbox.render_text``/
``check_template``/``preview_template``, ``templates.create_template``/``edit_template``/
``delete_template``, ``seed.seed_default_templates``. Imports ``core`` only.
"""
