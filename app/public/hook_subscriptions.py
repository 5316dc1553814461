"""Subscribing a webhook endpoint or a Slack channel instead of an email address."""

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import csrf, limiter
from app.fanout.hooks import confirm_slack, hook_for_token, subscribe_slack, subscribe_webhook
from app.ids import coerce_id
from app.public import bp
from app.public.subscription_forms import CHOOSE_COMPONENTS, ComponentChoiceField, ConfirmForm
from app.public.subscriptions import _component_choices, _private


class HookSubscribeForm(FlaskForm):
    kind = RadioField(
        "Send updates to",
        choices=[
            SelectChoice("webhook", "A webhook (your endpoint)"),
            SelectChoice("slack", "A Slack channel"),
        ],
        default="webhook",
    )
    url = StringField("URL", validators=[DataRequired(), Length(max=500)])
    components = ComponentChoiceField(CHOOSE_COMPONENTS, coerce=coerce_id)
    submit = SubmitField("Subscribe")


def _page(kind, status=200, **values):
    html = render_template("public/hook_message.html", kind=kind, **values)
    return _private(current_app.make_response((html, status)))


@bp.route("/subscribe/webhook", methods=["GET", "POST"], endpoint="subscribe_hook")
@limiter.limit(lambda: current_app.config["SUBSCRIBE_RATE_LIMIT"], methods=["POST"])
def subscribe_hook_page():
    """Store the endpoint and show a webhook's signing secret once; the challenge (or a Slack
    channel's confirmation link) goes out from the queue, never from this request."""
    form = HookSubscribeForm()
    form.components.choices = _component_choices()
    if form.validate_on_submit():
        ids = form.components.data or ()
        try:
            with unit_of_work():
                if form.kind.data == "slack":
                    subscribe_slack(form.url.data, component_ids=ids)
                    page = {"kind": "slack_sent"}
                else:
                    _sub, secret = subscribe_webhook(form.url.data, component_ids=ids)
                    page = {"kind": "webhook_pending", "secret": secret}
            return _page(**page)
        except ServiceError as exc:
            getattr(form, exc.field or "url").errors.append(exc.message)
    status = 422 if form.errors else 200
    return render_template("public/subscribe_hook.html", form=form), status


@bp.route("/hooks/confirm/<token>", methods=["GET", "POST"], endpoint="confirm_hook")
def confirm_hook_page(token):
    """GET shows a button (link unfurlers must not confirm); POST confirms."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                confirm_slack(token)
        except ServiceError as exc:
            return _page("invalid", 404, message=exc.message)
        return _page("slack_confirmed")
    return _private(render_template("public/confirm.html", form=form))


@bp.route("/hooks/unsubscribe/<token>", methods=["GET", "POST"], endpoint="unsubscribe_hook")
@csrf.exempt  # machines POST here with no cookie (meta.unsubscribe); the URL is the secret
def unsubscribe_hook_page(token):
    """GET asks; POST stops deliveries to the endpoint."""
    from app.fanout.hooks import unsubscribe_hook

    if hook_for_token(token) is None:
        return _page("invalid", 404, message="This link is not valid.")
    if request.method != "POST":
        return _page("unsubscribe_ask", token=token)
    with unit_of_work():
        unsubscribe_hook(token)
    return _page("unsubscribed")
