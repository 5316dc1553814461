"""Crier: the status page and stakeholder communications service."""

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, flash, jsonify, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_url
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import VERSION as __version__  # noqa: F401 - the release, app.__version__
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
        instance_path=config.pop("INSTANCE_PATH", None)
        or os.environ.get("CRIER_INSTANCE_PATH")
        or os.environ.get("INSTANCE_PATH"),
        instance_relative_config=True,
    )
    load_config(app, config)
    register_logging(app)
    register_converters(app)
    register_extensions(app)
    register_tasks(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_template_helpers(app)
    register_security(app)
    return app


def register_logging(app):
    """LOG_LEVEL and LOG_FORMAT for every logger of the process (not under pytest, which
    captures records itself)."""
    from app.logs import configure_logging

    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


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

    @login_manager.unauthorized_handler
    def signed_out():
        # What the console fetches in the background (its texts, the recipients, the
        # dashboard) answers 401 when signed out. Sent to the sign-in page instead, the fetch
        # would start a session there (the flash, the form's token), replacing the one whose
        # CSRF token the sign-in form open in the tab carries, and its next submit would fail.
        if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
            return jsonify(error="Signed out: sign in again."), 401  # no page, no session
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @login_manager.user_loader
    def load_user(session_id):
        from app.models import User

        return User.from_session_id(session_id)


def register_converters(app):
    """``<int:...>`` everywhere parses ids bounded to the database's range (else 404)."""
    from app.ids import DbIntConverter

    app.url_map.converters["int"] = DbIntConverter


def register_tasks(app):
    """Connect each domain's outbox door to the signals sent inside a transaction, and the
    tasks to the signals sent after its commit, so the web app can enqueue them."""
    from app import tasks  # noqa: F401
    from app.fanout import outbox as fanout_outbox  # noqa: F401
    from app.publishing import outbox as publishing_outbox  # noqa: F401


def register_blueprints(app):
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.ops import bp as ops_bp
    from app.public import bp as public_bp
    from app.webhooks import bp as webhooks_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(ops_bp)  # after public: its request counter wraps the published site


def register_errors(app):
    from app.errors import init_app

    init_app(app)


def register_cli(app):
    from app.cli import init_app

    init_app(app)


def register_template_helpers(app):
    from app.core import assets
    from app.core.templating import init_app

    init_app(app)
    assets.init_app(app)


def register_security(app):
    """Security headers on every response, a request size limit, and the proxies we trust."""
    from werkzeug.exceptions import RequestEntityTooLarge
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app.headers import security_headers

    @app.before_request
    def _size_limit():
        # The CSV import may be larger than any other request; set before the form is read.
        if request.endpoint == "admin.import_subscribers_csv":
            request.max_content_length = app.config["IMPORT_MAX_CONTENT_LENGTH"]
        # A declared size past the limit is refused at once, by every route, read or not.
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def _security_headers(response):
        body = None if response.is_streamed or response.direct_passthrough else response.get_data
        for name, value in security_headers(body, response.mimetype, framed=False).items():
            response.headers.setdefault(name, value)
        return response

    prefix = urlsplit(app.config["PUBLIC_BASE_URL"]).path.rstrip("/")
    if prefix:  # served under a path (https://example.com/status)
        app.wsgi_app = PathPrefix(app.wsgi_app, prefix)
    app.session_interface = SchemeSecureSessions()
    hops = app.config["TRUSTED_PROXIES"]
    if hops:  # outermost, so the published-site middleware sees the client's address too
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


class PathPrefix:
    """PUBLIC_BASE_URL's path is the app's SCRIPT_NAME, so url_for and redirects keep it,
    whether the proxy passes the path on (``/status/history``) or strips it (``/history``).
    A prefix a trusted proxy sent (X-Forwarded-Prefix, set by ProxyFix) wins."""

    def __init__(self, wsgi_app, prefix: str):
        self.wsgi_app = wsgi_app
        self.prefix = prefix

    def __call__(self, environ, start_response):
        if not environ.get("SCRIPT_NAME"):
            path = environ.get("PATH_INFO") or "/"
            if path == self.prefix or path.startswith(self.prefix + "/"):
                environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
            environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)


class SchemeSecureSessions(SecureCookieSessionInterface):
    """Unless SESSION_COOKIE_SECURE is set, cookies are Secure when PUBLIC_BASE_URL is https
    or the request came over https (X-Forwarded-Proto from a trusted proxy counts)."""

    def get_cookie_secure(self, app) -> bool:
        from flask import has_request_context

        if app.config.get("SESSION_COOKIE_SECURE_SET"):
            return bool(app.config["SESSION_COOKIE_SECURE"])
        https = app.config["PUBLIC_BASE_URL"].startswith("https://")
        return https or (has_request_context() and request.is_secure)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL and a busy timeout let web processes and the worker share one SQLite file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
