"""Forms for subscribers and stakeholder groups in the admin."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from app.models import Severity


class ImportSubscribersForm(FlaskForm):
    file = FileField("CSV file (email, components)", validators=[FileRequired()])
    consented = BooleanField(
        "These people agreed to receive status emails (mark them confirmed; otherwise each "
        "gets a confirmation link)"
    )
    submit = SubmitField("Import")


class StakeholderGroupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    emails = TextAreaField("Member addresses (one per line or comma-separated)")
    min_severity = SelectField(
        "Tell them about incidents at or above",
        choices=[SelectChoice(s.value, s.value) for s in Severity],
        default=Severity.SEV2.value,
    )
    # Not named after the model's column: obj= must never put the stored secret in the form.
    slack_url = StringField("New Slack incoming webhook for the internal text (optional)",
                            validators=[Length(max=500)])  # fmt: skip
    clear_slack = BooleanField("Remove the Slack webhook")
    # Choices: "" and the audiences (public ids), set by the view; the verb checks the value
    # (absent, as from older forms and scripts: no audience).
    audience = SelectField(
        "Tell them only about what this audience sees",
        choices=[SelectChoice("", "")],
        validate_choice=False,
    )
    submit = SubmitField("Save")


class DeleteForm(FlaskForm):
    submit = SubmitField("Delete")


class RetryForm(FlaskForm):
    submit = SubmitField("Send again")
