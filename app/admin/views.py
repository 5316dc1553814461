from flask import render_template

from app.admin import bp
from app.auth.forms import LogoutForm
from app.services.incidents import open_incidents
from app.services.worker import worker_status
from app.sqltypes import utcnow


@bp.route("/")
def dashboard():
    return render_template(
        "admin/dashboard.html",
        incidents=open_incidents(),
        worker=worker_status(),
        now=utcnow(),
        logout_form=LogoutForm(),
    )
