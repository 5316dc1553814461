from flask import render_template

from app.public import bp
from app.services.status import page_status


@bp.route("/")
def index():
    return render_template("public/index.html", status=page_status())
