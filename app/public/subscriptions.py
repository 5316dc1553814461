"""Subscribing by email: double opt-in, manage page, unsubscribe and RFC 8058 one-click."""

from flask import current_app, make_response, render_template, request
from wtforms import SelectChoice

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import csrf, limiter
from app.fanout.subscribers import (
    ADDRESS_LIMIT_SCOPE,
    address_limit_key,
    confirm_subscription,
    subscribe,
    subscriber_for_token,
    unsubscribe,
    update_preferences,
)
from app.incidents.components import public_components_in_order
from app.public import bp
from app.public.subscription_forms import ConfirmForm, PreferencesForm, SubscribeForm


def _component_choices():
    """The public components in page order, each carrying its group's name (the form shows
    them grouped, as the page does)."""
    return [
        SelectChoice(c.id, c.name, render_kw={"data-group": group or ""})
        for group, c in public_components_in_order()
    ]


def _address_key() -> str:
    """Rate-limit key for the address typed in the form (shared with /api/v1)."""
    return address_limit_key(request.form.get("email"))


def _private(response):
    """Pages reached through a personal link: never cached, never leaked in a Referer."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/subscribe", methods=["GET", "POST"], endpoint="subscribe")
@limiter.limit(lambda: current_app.config["SUBSCRIBE_RATE_LIMIT"], methods=["POST"])
@limiter.shared_limit(
    lambda: current_app.config["SUBSCRIBE_ADDRESS_RATE_LIMIT"],
    scope=ADDRESS_LIMIT_SCOPE,
    key_func=_address_key,
    methods=["POST"],
    override_defaults=False,
)
def subscribe_page():
    """Subscribe form; the answer never says whether the address was known."""
    form = SubscribeForm()
    form.components.choices = _component_choices()
    if form.validate_on_submit():
        if form.website.data:
            # A bot: answer exactly as for a person, and do nothing.
            return render_template("public/subscription_message.html", kind="sent")
        try:
            with unit_of_work():
                subscribe(form.email.data, component_ids=form.components.data or ())
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            return render_template("public/subscription_message.html", kind="sent")
    status = 422 if form.errors else 200
    return render_template("public/subscribe.html", form=form), status


@bp.route("/confirm/<token>", methods=["GET", "POST"], endpoint="confirm_subscription")
def confirm_subscription_page(token):
    """Confirm a subscription from the emailed link."""
    # GET only shows a button: mail scanners follow links and must not confirm for anyone.
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                sub = confirm_subscription(token)
        except ServiceError as exc:
            return _private(_message("invalid", exc.message, 404))
        return _private(_message("confirmed", status=200, email=sub.email))
    return _private(render_template("public/confirm.html", form=form))


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage_subscription(token):
    """Choose components or unsubscribe, from the personal link."""
    sub = subscriber_for_token(token)
    if sub is None:
        return _private(_message("invalid", "This link is not valid.", 404))
    form = PreferencesForm()
    form.components.choices = _component_choices()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                sub = update_preferences(token, component_ids=form.components.data or ())
        except ServiceError as exc:
            form.components.errors.append(exc.message)
        else:
            return _private(_message("saved", status=200, email=sub.email))
    elif request.method != "POST":
        form.components.data = [c.id for c in sub.components]
    html = render_template("public/manage.html", form=form, subscriber=sub, token=token)
    return _private(current_app.make_response((html, 422 if form.errors else 200)))


@bp.route("/u/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
@csrf.exempt  # RFC 8058: mail providers POST here with no cookie and no token; the URL is secret
def unsubscribe_page(token):
    """GET and HEAD ask; only POST (a button or an RFC 8058 one-click) unsubscribes."""
    if request.method != "POST":
        # Shows a button and changes nothing: scanners and previews send GETs and HEADs.
        if subscriber_for_token(token) is None:
            return _private(_message("invalid", "This link is not valid.", 404))
        html = render_template("public/unsubscribe.html", token=token)
        return _private(current_app.make_response(html))
    try:
        with unit_of_work():
            sub = unsubscribe(token)
    except ServiceError as exc:
        return _private(_message("invalid", exc.message, 404))
    return _private(_message("unsubscribed", status=200, email=sub.email))


def _message(kind, message=None, status=200, email=None):
    html = render_template(
        "public/subscription_message.html", kind=kind, message=message, email=email
    )
    return current_app.make_response((html, status))
