"""Forms of a viewer's sign-in (audience pages), apart from staff sign-in."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SubmitField
from wtforms.validators import DataRequired, Length


class ViewerSignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    next = HiddenField()
    submit = SubmitField("Email me a sign-in link")


class ViewerLinkForm(FlaskForm):
    submit = SubmitField("Sign me in")


class ViewerSignOutForm(FlaskForm):
    submit = SubmitField("Sign out")
