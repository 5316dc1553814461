"""Audiences: who may see what, beyond the public floor everyone has.

``rule.visible(viewer, thing)`` is the one rule: given a viewer (``rule.PUBLIC`` for an
anonymous visitor, or the audiences they belong to) and a component, an incident or one of an
update's texts, it says whether the viewer may see it. The publisher, the fan-out, the API, the
public pages and the console all ask it; ``floor`` gives the same answer for the public floor
as SQL clauses, for the publisher's queries. ``manage`` holds the console's verbs (create,
edit, delete an audience, checked by ``admissions``); ``readers`` loads audiences and viewers.

Viewers: ``viewers`` signs them in by an emailed link (and lists and revokes sessions),
``oidc`` by OpenID Connect; ``sessions`` is their signed cookie; ``membership`` says which
audiences an address, its domain, claim values and a client address give; ``requests``
(``audience_key``) is the one place that says which set of audiences a request belongs to.
``tokens`` holds viewers' feed tokens (issue, revoke, and the set a token opens).
Verbs flush, never commit. Imports ``incidents`` (nothing yet), ``core``, ``outbound`` (the
provider's documents and token endpoint) and ``models``.
"""
