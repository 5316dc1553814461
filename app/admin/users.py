"""People who sign in: everyone sees the list, admins add people and change roles."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import UserChangeForm, UserForm, show_error
from app.auth.roles import require_role
from app.core import ServiceError
from app.core import users as service
from app.core.uow import unit_of_work
from app.models import Role


def _page(form=None, error=None, status=200):
    return render_template(
        "admin/users.html",
        users=service.all_users(),
        form=form or UserForm(formdata=None),
        change_form=UserChangeForm(formdata=None),
        error=error,
    ), status


@bp.route("/users")
def list_users():
    """Everyone who can sign in."""
    return _page()


@bp.route("/users/new", methods=["POST"])
@require_role(Role.admin)
def create_user():
    """Add a user (admins)."""
    form = UserForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        with unit_of_work():
            user = service.create_user(
                form.email.data,
                password=form.password.data,
                name=form.name.data,
                role=form.role.data,
                actor=current_user,
            )
    except ServiceError as exc:
        show_error(form, exc)
        return _page(form, status=422)
    flash(f"Added {user.email} as {user.role}.", "info")
    return redirect(url_for("admin.list_users"))


@bp.route("/users/<int:user_id>", methods=["POST"])
@require_role(Role.admin)
def change_user(user_id):
    """Change a user's role or access (admins)."""
    user = service.get_user(user_id)
    if user is None:
        abort(404, description="There is no such user.")
    form = UserChangeForm()
    try:
        with unit_of_work():
            if not form.validate():
                raise ServiceError("This form has expired; reload the page and try again.")
            service.change_user(
                user, actor=current_user, role=form.role.data, active=form.active.data
            )
    except ServiceError as exc:
        return _page(error=exc.message, status=422)
    flash(f"Saved {user.email}.", "info")
    return redirect(url_for("admin.list_users"))
