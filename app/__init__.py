"""Crier: the status page and stakeholder communications service."""

import logging
import os
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import load_config

_HERE = Path(__file__).resolve().parent


def _resource_dir(name):
    """templates/, static/ and migrations/ live beside app/ in a checkout, inside it in a wheel."""
    packaged = _HERE / name
    return str(packaged if packaged.is_dir() else _HERE.parent / name)


def create_app(config=None):
    """Build the Flask app; ``config`` (a mapping) overrides defaults and the environment."""
    config = dict(config or {})
    app = Flask(
        __name__,
        template_folder=_resource_dir("templates"),
        static_folder=_resource_dir("static"),
        instance_path=config.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH"),
        instance_relative_config=True,
    )
    load_config(app, config)
    register_extensions(app)
    register_tasks(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_template_helpers(app)
    return app


def register_extensions(app):
    from app import models  # noqa: F401 - every model must be known before migrations run
    from app.extensions import csrf, db, huey, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=_resource_dir("migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    huey.init_app(app)

    @login_manager.user_loader
    def load_user(user_id):
        from app.models import User

        return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def register_tasks(app):
    """Import the tasks so the web app can enqueue them and their signal receivers connect."""
    from app import tasks  # noqa: F401


def register_blueprints(app):
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.public import bp as public_bp
    from app.webhooks import bp as webhooks_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(api_bp, url_prefix="/api")


def register_errors(app):
    from app.errors import init_app

    init_app(app)


def register_cli(app):
    from app.cli import init_app

    init_app(app)


def register_template_helpers(app):
    from app.core.templating import init_app

    init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL and a busy timeout let web processes and the worker share one SQLite file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


logging.getLogger("huey").setLevel(logging.INFO)
