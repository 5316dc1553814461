"""Forms for subscribing and managing a subscription."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Length


class ComponentChoiceField(SelectMultipleField):
    """Checkboxes of components; none ticked means everything."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        pass  # the service checks the ids, with a message a person can act on


class SubscribeForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    components = ComponentChoiceField("Only these components (none ticked: everything)", coerce=int)
    # Honeypot: hidden from people, filled in by naive bots.
    website = StringField("Leave this empty")
    submit = SubmitField("Subscribe")


class PreferencesForm(FlaskForm):
    components = ComponentChoiceField("Only these components (none ticked: everything)", coerce=int)
    submit = SubmitField("Save")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm my subscription")
