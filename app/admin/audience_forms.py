"""The form of an audience; its fields are checked by the audiences domain, not here, so
every error reads the same from the console and, later, the API."""

from flask_wtf import FlaskForm
from wtforms import (
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from app.models import AudienceKind


class AudienceForm(FlaskForm):
    name = StringField("Name")
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(AudienceKind.customer.value, "Customer: the external text"),
            SelectChoice(AudienceKind.internal.value, "Internal: the internal text too"),
        ],
        validate_choice=False,  # the domain says what is wrong, without echoing the value
    )
    components = SelectMultipleField("Hidden components it sees", validate_choice=False)
    groups = SelectMultipleField("Groups it sees whole", validate_choice=False)
    emails = TextAreaField("Members' addresses (one a line)")
    domains = TextAreaField("Email domains that admit everyone at them (one a line)")
    claims = TextAreaField("OpenID Connect claim values (one a line)")
    networks = TextAreaField("IP ranges that admit without sign-in (CIDR, one a line)")
    submit = SubmitField("Save")


class DeleteAudienceForm(FlaskForm):
    submit = SubmitField("Delete audience")


class IncidentAudiencesForm(FlaskForm):
    audiences = SelectMultipleField("Also show to", validate_choice=False)
    submit = SubmitField("Save who sees it")
