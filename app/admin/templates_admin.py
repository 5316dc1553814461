"""Message templates in the console: list, create, edit, delete (admins)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ConfirmForm, MessageTemplateForm, show_error
from app.auth.roles import require_role
from app.core import ServiceError
from app.core.uow import unit_of_work
from app.fanout.emails import subject_line
from app.markdown import markdown_to_text, render_markdown
from app.messages import sandbox
from app.messages import templates as service
from app.messages.checks import empty_variable_warnings
from app.models import Role


def _template_or_404(template_id):
    template = service.get_template(template_id)
    if template is None:
        abort(404, description="There is no such template.")
    return template


def _preview(form):
    """Render the form's template with sample values; a bad template is a form error."""
    subject, body = sandbox.preview_template(subject=form.subject.data, body=form.body.data)
    subject = subject_line(subject, state=form.state.data, title=sandbox.SAMPLE["incident_title"])
    return {"subject": subject, "html": render_markdown(body), "text": markdown_to_text(body)}


def _warn(form) -> None:
    """Say which variables would render empty for the template's kind and state."""
    source = f"{form.subject.data or ''}\n{form.body.data or ''}"
    for warning in empty_variable_warnings(source, kind=form.kind.data, state=form.state.data):
        flash(warning, "warning")


def _fields(form):
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "state": form.state.data,
        "audience": form.audience.data,
        "subject": form.subject.data,
        "body": form.body.data,
    }


@bp.route("/templates")
def list_templates():
    """Message templates and the variables they may use."""
    return render_template(
        "admin/templates/list.html",
        templates=service.message_templates(),
        variables=sandbox.VARIABLES,
        safe_filters=sorted(sandbox.SAFE_FILTERS),
        delete_form=ConfirmForm(),
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@require_role(Role.admin)
def create_template():
    """Add a message template (admins)."""
    form = MessageTemplateForm()
    page = {
        "form": form,
        "template": None,
        "variables": sandbox.VARIABLES,
        "safe_filters": sorted(sandbox.SAFE_FILTERS),
    }
    if request.method == "GET":
        return render_template("admin/templates/form.html", **page)
    if not form.validate():
        return render_template("admin/templates/form.html", **page), 422
    try:
        with unit_of_work():
            if form.preview.data:
                preview = _preview(form)
                _warn(form)
                return render_template("admin/templates/form.html", preview=preview, **page)
            service.create_template(actor=current_user, **_fields(form))
            _warn(form)
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/templates/form.html", **page), 422
    flash("Template saved.", "info")
    return redirect(url_for("admin.list_templates"))


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@require_role(Role.admin)
def edit_template(template_id):
    """Change a message template (admins)."""
    template = _template_or_404(template_id)
    form = MessageTemplateForm(obj=template if request.method == "GET" else None)
    page = {
        "form": form,
        "template": template,
        "variables": sandbox.VARIABLES,
        "safe_filters": sorted(sandbox.SAFE_FILTERS),
    }
    if request.method == "GET":
        return render_template("admin/templates/form.html", **page)
    if not form.validate():
        return render_template("admin/templates/form.html", **page), 422
    try:
        with unit_of_work():
            if form.preview.data:
                preview = _preview(form)
                _warn(form)
                return render_template("admin/templates/form.html", preview=preview, **page)
            service.edit_template(template, actor=current_user, **_fields(form))
            _warn(form)
    except ServiceError as exc:
        show_error(form, exc)
        return render_template("admin/templates/form.html", **page), 422
    flash("Template saved.", "info")
    return redirect(url_for("admin.list_templates"))


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@require_role(Role.admin)
def delete_template(template_id):
    """Delete a message template (admins)."""
    template = _template_or_404(template_id)
    if not ConfirmForm().validate():
        abort(400, description="This form has expired; reload the page and try again.")
    with unit_of_work():
        service.delete_template(template, actor=current_user)
    flash("Template deleted.", "info")
    return redirect(url_for("admin.list_templates"))
