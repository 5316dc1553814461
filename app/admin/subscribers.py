"""Admin: subscribers (search, counts, CSV in and out) and the numbers of each dispatch."""

from flask import Response, abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.common import incident_or_404
from app.admin.fanout_forms import ImportSubscribersForm, RetryForm
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.fanout.dispatch import (
    dispatches_for_incident,
    failed_dispatches,
    get_dispatch,
    retry_dispatch,
)
from app.fanout.hooks import list_hook_subscribers
from app.fanout.subscriber_csv import (
    export_subscribers,
    import_subscribers,
    search_subscribers,
    subscriber_counts,
    subscriber_status,
)
from app.models import Role
from app.sqltypes import utcnow


@bp.route("/subscribers")
@require_role(Role.admin)
def list_subscribers():
    """Subscribers with search, status filter and counts."""
    query = request.args.get("q", "")
    status = request.args.get("status", "")
    return render_template(
        "admin/subscribers.html",
        subscribers=search_subscribers(query=query, status=status),
        counts=subscriber_counts(),
        query=query,
        status=status,
        status_of=subscriber_status,
        hooks=list_hook_subscribers(),
    )


@bp.route("/subscribers/export.csv")
@require_role(Role.admin)
def export_subscribers_csv():
    """Every subscriber as a CSV download."""
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        export_subscribers(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="subscribers-{stamp}.csv"'},
    )


@bp.route("/subscribers/import", methods=["GET", "POST"])
@require_role(Role.admin)
def import_subscribers_csv():
    """Add subscribers from a CSV upload."""
    form = ImportSubscribersForm()
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
            with unit_of_work():
                result = import_subscribers(text, consented=form.consented.data)
        except UnicodeDecodeError:
            form.file.errors.append("The file is not UTF-8 text.")
        except ServiceError as exc:
            form.file.errors.append(exc.message)
        else:
            verb = "confirmed" if form.consented.data else "sent a confirmation link"
            flash(
                f"Imported {result.created} ({verb}); {result.skipped} already known, "
                f"{len(result.errors)} rejected.",
                "info",
            )
            for error in result.errors[:20]:
                flash(error, "error")
            return redirect(url_for("admin.list_subscribers"))
    status = 422 if form.errors else 200
    return render_template("admin/subscribers_import.html", form=form), status


@bp.route("/incidents/<public_id>/dispatches")
def list_incident_dispatches(public_id):
    """The numbers of every dispatch (email, webhook, Slack) of an incident."""
    incident = incident_or_404(public_id)
    return render_template(
        "admin/dispatches.html",
        incident=incident,
        dispatches=dispatches_for_incident(incident),
        retry_form=RetryForm(),
    )


@bp.route("/dispatches/<int:dispatch_id>/retry", methods=["POST"])
@require_role(Role.lead)
def retry_failed_dispatch(dispatch_id):
    """Send a failed dispatch again from where it stopped."""

    dispatch = get_dispatch(dispatch_id)
    if dispatch is None or dispatch.update is None:  # a component change's: not on the console
        abort(404)
    try:
        with unit_of_work():
            retry_dispatch(dispatch)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash("Sending again from where it stopped.", "info")
    public_id = dispatch.update.incident.public_id
    return redirect(url_for("admin.list_incident_dispatches", public_id=public_id))


bp.add_app_template_global(failed_dispatches, "failed_dispatches")
