"""Forms for subscribing and managing a subscription."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Length

from app.ids import coerce_id


class ComponentChoiceField(SelectMultipleField):
    """Checkboxes of components; none ticked means everything."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        pass  # the service checks the ids, with a message a person can act on


CHOOSE_COMPONENTS = "Only these components (none ticked: everything)"


class SubscribeForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    components = ComponentChoiceField(CHOOSE_COMPONENTS, coerce=coerce_id)
    # Honeypot: hidden from people, filled in by naive bots.
    website = StringField("Leave this empty")
    submit = SubmitField("Subscribe")


class PreferencesForm(FlaskForm):
    components = ComponentChoiceField(CHOOSE_COMPONENTS, coerce=coerce_id)
    submit = SubmitField("Save")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm my subscription")
