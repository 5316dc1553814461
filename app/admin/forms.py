"""Admin forms. They check shape (CSRF, types); the services check the rules."""

from datetime import datetime

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core import ServiceError
from app.core.settings import page_settings
from app.incidents.cadence import CADENCE_LIMITS
from app.incidents.transitions import opening_states
from app.messages.templates import STATES_BY_KIND
from app.models import ComponentStatus, Impact, IncidentKind, Severity
from app.timefmt import zone

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def _choices(values):
    return options((v, v.replace("_", " ")) for v in values)


MIN_YEAR, MAX_YEAR = 1970, 2999


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input from 1970 to 2999: room for any plan, and far from year 1 and
    9999, where converting between the page's timezone and UTC overflows (a 500)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not MIN_YEAR <= self.data.year <= MAX_YEAR:
            self.data = None
            raise ValueError(f"Give a date between {MIN_YEAR} and {MAX_YEAR}.")


STATUS_CHOICES = options((s.value, s.value.replace("_", " ").capitalize()) for s in ComponentStatus)


def _body(label):
    return TextAreaField(label, validators=[Length(max=20_000)], render_kw={"rows": 7})


class _TextsMixin:
    external_body = _body("External text (public; Markdown)")
    internal_body = _body("Internal text (stakeholders; Markdown)")
    # What each text was rendered from (the inputs, as JSON) and a hash of the rendered text:
    # the server re-renders a text still equal to its prefill, never one the lead edited.
    external_for = HiddenField()
    external_hash = HiddenField()
    internal_for = HiddenField()
    internal_hash = HiddenField()
    notify = BooleanField("Notify subscribers", default=True)
    notify_stakeholders = BooleanField("Notify stakeholders", default=True)
    # The answer opens at the preview (its #previewed), not at the top with Title focused.
    preview = SubmitField("Preview", render_kw={"formaction": "#previewed"})


class IncidentForm(_TextsMixin, FlaskForm):
    public_id = HiddenField()  # allocated on first render, so the texts can link the page
    title = StringField("Title", validators=[Length(max=200)])
    severity = SelectField("Severity", choices=_choices(Severity), default="SEV3")
    state = SelectField(
        "State",
        choices=_choices(opening_states(IncidentKind.incident)),
        default="investigating",
        validate_choice=False,
    )
    impact = SelectField(
        "Public impact",
        choices=options([("", "From the component statuses")]) + _choices(Impact),
        validate_choice=False,
    )
    lead = SelectField("Comms Lead", validate_choice=False)
    commander = SelectField("Incident Commander", validate_choice=False)
    next_update_by = LocalDateTimeField(
        "Next update by", format=DATETIME_FORMAT, validators=[Optional()]
    )
    is_public = BooleanField("Show on the public status page", default=True)
    cadence_minutes = IntegerField(
        "Cadence override (minutes)", validators=[Optional(), NumberRange(*CADENCE_LIMITS)]
    )
    refill = SubmitField("Refill texts for this state")
    submit = SubmitField("Declare incident")


class EditIncidentForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    severity = SelectField("Severity", choices=_choices(Severity), validate_choice=False)
    impact = SelectField("Public impact", choices=_choices(Impact), validate_choice=False)
    lead = SelectField("Comms Lead", validate_choice=False)
    commander = SelectField("Incident Commander", validate_choice=False)
    cadence_minutes = IntegerField(
        "Cadence override (minutes)", validators=[Optional(), NumberRange(*CADENCE_LIMITS)]
    )
    submit = SubmitField("Save")


class UpdateForm(_TextsMixin, FlaskForm):
    state = SelectField("State", validate_choice=False)
    next_update_by = LocalDateTimeField(
        "Next update by", format=DATETIME_FORMAT, validators=[Optional()]
    )
    cadence_minutes = IntegerField(
        "Cadence override (minutes)", validators=[Optional(), NumberRange(*CADENCE_LIMITS)]
    )
    refill = SubmitField("Refill texts for this state")
    submit = SubmitField("Post update")


class ResolveForm(_TextsMixin, FlaskForm):
    restore_components = BooleanField("Set the affected components to operational", default=True)
    submit = SubmitField("Resolve incident")


class PostmortemForm(_TextsMixin, FlaskForm):
    postmortem_url = StringField(
        "Postmortem address",
        validators=[DataRequired("Give the postmortem's address."), Length(max=2000)],
    )
    notify = BooleanField("Notify subscribers", default=False)
    submit = SubmitField("Post postmortem")


class CorrectUpdateForm(FlaskForm):
    external_body = _body("Corrected external text (public; Markdown)")
    submit = SubmitField("Correct without notifying")


class MomentsForm(FlaskForm):
    """An incident's moments, in the page's timezone; blank: not yet, or not known."""

    impact_started_at = LocalDateTimeField(
        "Impact started", format=DATETIME_FORMAT, validators=[Optional()]
    )
    detected_at = LocalDateTimeField("Detected", format=DATETIME_FORMAT, validators=[Optional()])
    engaged_at = LocalDateTimeField("Engaged", format=DATETIME_FORMAT, validators=[Optional()])
    mitigated_at = LocalDateTimeField("Mitigated", format=DATETIME_FORMAT, validators=[Optional()])
    resolved_at = LocalDateTimeField("Resolved", format=DATETIME_FORMAT, validators=[Optional()])
    submit = SubmitField("Save moments")


class MaintenanceForm(_TextsMixin, FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    scheduled_for = LocalDateTimeField("Starts", format=DATETIME_FORMAT, validators=[Optional()])
    scheduled_until = LocalDateTimeField("Ends", format=DATETIME_FORMAT, validators=[Optional()])
    components = SelectMultipleField("Components", validate_choice=False)
    auto_notify = BooleanField("Notify subscribers when it starts and ends", default=False)
    remind_prior = BooleanField("Remind subscribers before it starts", default=False)
    remind_minutes = StringField("Reminder times", validators=[Length(max=40)])
    submit = SubmitField("Save")


class MaintenanceActionForm(_TextsMixin, FlaskForm):
    """Start, complete or cancel by hand; empty texts use the templates."""

    submit = SubmitField("Confirm")


def _secret(label):
    """A write-only field: PasswordField never renders a value, stored or submitted."""
    return PasswordField(label, validators=[Length(max=500)], render_kw={"autocomplete": "off"})


class ProfileForm(FlaskForm):
    timezone = StringField("Your timezone", validators=[Length(max=64)])
    slack_webhook_url = _secret("New Slack-compatible webhook for your reminders (optional)")
    clear_slack_webhook_url = BooleanField("Remove my webhook")
    submit = SubmitField("Save")


class SnoozeForm(FlaskForm):
    until = LocalDateTimeField("Next update by", format=DATETIME_FORMAT)
    reason = StringField("Why it can wait", validators=[Length(max=500)])
    submit = SubmitField("Snooze reminder")


class MessageTemplateForm(FlaskForm):
    name = StringField("Name", default="Default", validators=[Length(max=120)])
    kind = SelectField("Kind", choices=_choices(IncidentKind), validate_choice=False)
    state = SelectField(
        "State",
        choices=_choices(
            dict.fromkeys(s.value for states in STATES_BY_KIND.values() for s in states)
        ),
        validate_choice=False,
    )
    audience = SelectField(
        "Audience", choices=_choices(["external", "internal"]), validate_choice=False
    )
    subject = StringField("Subject", validators=[Length(max=200)])
    body = TextAreaField("Body (Markdown with {{ variables }})", render_kw={"rows": 10})
    preview = SubmitField("Preview with sample values")
    submit = SubmitField("Save template")


class ComponentForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=120)])
    slug = StringField("Slug (blank: from the name)", validators=[Length(max=80)])
    description = TextAreaField("Description", render_kw={"rows": 2})
    group_id = SelectField("Group", validate_choice=False)
    is_public = BooleanField("Show on the public page", default=True)
    alert_mode = SelectField(
        "When Alertmanager reports an alert",
        choices=options(
            [
                ("suggest", "Suggest an incident to the Comms Lead"),
                ("automatic", "Set the status automatically (critical opens an incident)"),
            ]
        ),
        default="suggest",
    )
    submit = SubmitField("Save component")


class GroupForm(FlaskForm):
    name = StringField("Group name", validators=[Length(max=120)])
    submit = SubmitField("Save group")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False)
    submit = SubmitField("Set status")


class ConfirmForm(FlaskForm):
    """A button with CSRF protection: move, delete."""

    submit = SubmitField("Confirm")


class SettingsForm(FlaskForm):
    page_name = StringField("Page name", validators=[Length(max=120)])
    public_url = StringField("Public URL", validators=[Length(max=500)])
    timezone = StringField("Timezone (e.g. Europe/Berlin)", validators=[Length(max=64)])
    support_url = StringField("Support link", validators=[Length(max=500)])
    brand_color = StringField("Brand colour", validators=[Length(max=7)])
    logo_url = StringField("Logo URL", validators=[Length(max=500)])
    warning_lead_minutes = IntegerField(
        "Warn the Comms Lead this many minutes before an update is due",
        validators=[Optional(), NumberRange(min=0, max=120)],
    )
    slack_webhook_url = _secret("New Slack-compatible webhook for reminders (optional)")
    clear_slack_webhook_url = BooleanField("Remove the stored webhook")
    allow_private_outbound = BooleanField(
        "Let webhooks reach private networks (loopback, 10.x, 192.168.x, link-local…)"
    )
    mail_from = StringField("From address of every email (blank: MAIL_FROM)", [Length(max=254)])
    blocked_words = TextAreaField(
        "Words customers must not read (one a line)",
        validators=[Length(max=20_000)],
        render_kw={"rows": 4},
    )
    ticket_pattern = StringField("Ticket ids (a regular expression)", [Length(max=200)])
    submit = SubmitField("Save settings")


def show_error(form, exc: ServiceError) -> None:
    """Put a service's message on the field it names, or on the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def to_utc(value):
    """A datetime-local value, read in the page's timezone, as an aware datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=zone(page_settings().timezone))


def zone_label(form) -> None:
    """Name the zone in the "Next update by" label, "Next update by (Europe/Berlin, CET)": the
    time typed is read in the page's zone, whatever the lead's own is."""
    field = getattr(form, "next_update_by", None)
    if field is not None:
        tz = page_settings().timezone or "UTC"
        now = datetime.now(zone(tz)).tzname()
        named = tz if now in (tz, None) else f"{tz}, {now}"
        field.label.text = f"Next update by ({named})"


def to_local_input(value):
    """An aware datetime as a naive one in the page's timezone, for datetime-local inputs."""
    if value is None:
        return None
    return value.astimezone(zone(page_settings().timezone)).replace(tzinfo=None)


def component_statuses(values=None) -> dict[str, str]:
    """{component public id: new status} from the form's component-<id> selects
    (``values``: another source of form data, e.g. the query string of a live refill)."""
    return {
        key.removeprefix("component-"): value
        for key, value in (request.form if values is None else values).items()
        if key.startswith("component-")
    }


def cadence_policy() -> dict:
    """{severity: {state: minutes}} from the settings form's cadence-<SEV>-<state> inputs."""
    policy: dict = {}
    for key, value in request.form.items():
        if key.startswith("cadence-") and key.count("-") == 2:
            _, severity, state = key.split("-")
            policy.setdefault(severity, {})[state] = value
    return policy


class UserForm(FlaskForm):
    email = StringField("Email", validators=[Length(max=254)])
    name = StringField("Name", validators=[Length(max=120)])
    role = SelectField("Role", choices=_choices(["viewer", "lead", "admin"]), validate_choice=False)
    password = PasswordField("Initial password (12+ characters)", validators=[Length(max=1024)])
    submit = SubmitField("Add user")


class UserChangeForm(FlaskForm):
    role = SelectField("Role", choices=_choices(["viewer", "lead", "admin"]), validate_choice=False)
    active = BooleanField("Can sign in", default=True)
    submit = SubmitField("Save")
