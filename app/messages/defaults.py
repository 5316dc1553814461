"""The message templates Crier ships with.

Drawn from published practice: Atlassian's incident communication templates, GitLab's
CMOC handbook and PagerDuty's external-communications guide. Each external text says what
is affected (and so what is not), what we are doing, a workaround if there is one, and when
the next update comes; the resolved text gives when each component was affected.

A default claims only what the incident's facts give: "working normally" only while nothing
says otherwise, no word on data loss (the lead knows, the facts do not), and no empty
"- Cause:" lines for the lead to forget (the checks refuse those before anything is sent).
"""

from app.models import Audience, IncidentKind, State

_NEXT = "We will post the next update by {{ next_update_at }}."

INCIDENT = {
    (State.investigating, Audience.external): (
        "Investigating: {{ incident_title }}",
        "We are investigating problems with **{{ affected_components }}**."
        "{% if not also_affected %} Other services are working normally.{% endif %}\n\n"
        "Workaround: none known yet.\n\n" + _NEXT,
    ),
    (State.investigating, Audience.internal): (
        "[{{ severity }}] Investigating: {{ incident_title }}",
        "**{{ severity }}**, public impact {{ impact }}, started {{ started_at }}.\n\n"
        "- Affected: {{ affected_components }}\n"
        "- Comms Lead: {{ lead_name }} · Incident Commander: {{ commander_name }}\n\n"
        "Customer-facing page: {{ incident_url }}.\nNext update by {{ next_update_at }}.",
    ),
    (State.identified, Audience.external): (
        "Identified: {{ incident_title }}",
        "We have found the cause of the problems with **{{ affected_components }}** "
        "and are working on a fix.\n\nWorkaround: none known yet.\n\n" + _NEXT,
    ),
    (State.identified, Audience.internal): (
        "[{{ severity }}] Identified: {{ incident_title }}",
        "Cause identified for {{ affected_components }} ({{ duration }} so far).\n\n"
        "Lead: {{ lead_name }} · IC: {{ commander_name }}.\nNext update by {{ next_update_at }}.",
    ),
    (State.monitoring, Audience.external): (
        "Monitoring: {{ incident_title }}",
        "A fix is in place for **{{ affected_components }}** and we are watching the results."
        "{% if not still_affected %} You should see things working normally again."
        "{% else %} {{ still_affected }} may still show problems.{% endif %}\n\n" + _NEXT,
    ),
    (State.monitoring, Audience.internal): (
        "[{{ severity }}] Monitoring: {{ incident_title }}",
        "Fix deployed; monitoring {{ affected_components }}.\n\n"
        "Next update by {{ next_update_at }}.",
    ),
    (State.resolved, Audience.external): (
        "Resolved: {{ incident_title }}",
        "This incident is resolved. It lasted {{ duration }} and ended at {{ resolved_at }}.\n\n"
        "Affected: {{ affected_since }}.\n\n"
        "We will share what happened and what we are changing so it does not happen again.",
    ),
    (State.resolved, Audience.internal): (
        "[{{ severity }}] Resolved: {{ incident_title }}",
        "Resolved after {{ duration }} ({{ started_at }} to {{ resolved_at }}).\n\n"
        "Affected: {{ affected_since }}.",
    ),
    (State.postmortem, Audience.external): (
        "Postmortem: {{ incident_title }}",
        "We have published our review of this incident: what happened, why, and what we are "
        "changing so it does not happen again.\n\n[Read the postmortem]({{ postmortem_url }})",
    ),
    (State.postmortem, Audience.internal): (
        "[{{ severity }}] Postmortem: {{ incident_title }}",
        "The postmortem for {{ incident_title }} ({{ duration }}) is ready.\n\n"
        "Document: {{ postmortem_url }}",
    ),
}

MAINTENANCE = {
    (State.scheduled, Audience.external): (
        "Scheduled maintenance: {{ incident_title }}",
        "We will carry out maintenance on **{{ affected_components }}** from "
        "{{ scheduled_for }} to {{ scheduled_until }}. Other services are not affected.",
    ),
    (State.scheduled, Audience.internal): (
        "Maintenance scheduled: {{ incident_title }}",
        "Window {{ scheduled_for }} to {{ scheduled_until }} on {{ affected_components }}. "
        "Owner: {{ lead_name }}.",
    ),
    (State.in_progress, Audience.external): (
        "Maintenance in progress: {{ incident_title }}",
        "Scheduled maintenance on **{{ affected_components }}** is under way and should "
        "end by {{ scheduled_until }}.",
    ),
    (State.in_progress, Audience.internal): (
        "Maintenance started: {{ incident_title }}",
        "Started on schedule; expected end {{ scheduled_until }}.",
    ),
    (State.verifying, Audience.external): (
        "Verifying maintenance: {{ incident_title }}",
        "The maintenance work on **{{ affected_components }}** is done and we are checking "
        "that everything works as expected.",
    ),
    (State.verifying, Audience.internal): (
        "Maintenance verifying: {{ incident_title }}",
        "Work done; verifying {{ affected_components }}.",
    ),
    (State.completed, Audience.external): (
        "Maintenance completed: {{ incident_title }}",
        "The scheduled maintenance on **{{ affected_components }}** is complete. "
        "Thank you for your patience.",
    ),
    (State.completed, Audience.internal): (
        "Maintenance completed: {{ incident_title }}",
        "Completed at {{ resolved_at }} on {{ affected_components }}.",
    ),
    (State.cancelled, Audience.external): (
        "Maintenance cancelled: {{ incident_title }}",
        "The maintenance on **{{ affected_components }}** planned for {{ scheduled_for }} "
        "is cancelled. Nothing will change for you.",
    ),
    (State.cancelled, Audience.internal): (
        "Maintenance cancelled: {{ incident_title }}",
        "Cancelled by {{ lead_name }}.",
    ),
}

DEFAULT_TEMPLATES = {IncidentKind.incident: INCIDENT, IncidentKind.maintenance: MAINTENANCE}
