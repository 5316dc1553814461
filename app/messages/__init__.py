"""Message templates: the editable texts per (kind, state, audience), their sandboxed renderer,
the defaults, and the prefill of an update's external and internal texts from an incident.

Verbs others may call: ``templates.prefill``, ``templates.incident_url``, ``templates.render_text``,
the template CRUD verbs, and ``seed.seed_default_templates``. Imports ``core`` only.
"""
