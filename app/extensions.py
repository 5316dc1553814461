"""Extension objects, created unbound here and bound to an app in create_app."""

import functools
from datetime import datetime
from pathlib import Path

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from app.sqltypes import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def remote_address() -> str:
    """The client's address: the peer, or what the trusted proxies said (TRUSTED_PROXIES)."""
    return request.remote_addr or "127.0.0.1"


limiter = Limiter(key_func=remote_address)


class FlaskHuey:
    """A Huey whose storage is chosen by the app and whose tasks run in its app context."""

    def __init__(self, name="crier"):
        self.huey = Huey(name, storage_class=MemoryStorage, utc=True)
        self.app = None

    def init_app(self, app):
        self.app = app
        huey = self.huey
        if app.config["HUEY_IMMEDIATE"]:
            huey.immediate = True
            return
        huey.immediate = False
        if app.config.get("REDIS_URL"):
            huey.storage_class = RedisStorage
            huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
        else:
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            huey.storage_class = SqliteStorage
            huey.storage_kwargs = {"filename": str(Path(app.instance_path) / "queue.db")}
        huey.storage = huey.create_storage()

    def _in_context(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if self.app is None:
                raise RuntimeError("the task queue is not bound to an app; call create_app first")
            with self.app.app_context():
                return func(*args, **kwargs)

        return wrapper

    def task(self, **options):
        """Declare a task; it runs inside the bound app's context."""
        return lambda func: self.huey.task(**options)(self._in_context(func))

    def on_startup(self):
        """Run a function in each worker thread as the consumer starts, in the app context."""
        return lambda func: self.huey.on_startup()(self._in_context(func))

    def periodic_task(self, validate_datetime, **options):
        """Declare a periodic task; it runs inside the bound app's context."""
        return lambda func: self.huey.periodic_task(validate_datetime, **options)(
            self._in_context(func)
        )


huey = FlaskHuey()
