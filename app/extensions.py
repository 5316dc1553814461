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


# Two queues, each with its own worker threads in every `flask worker`: fan-out (emails,
# webhooks, Slack: long tasks, as many as there are updates) and the publish lane (publishing,
# reminders, the clock ticks, the heartbeat: short tasks that must start at once). Fan-out can
# fill every thread of its own queue, never the lane's, so an update reaches the page within
# seconds however much email is going out.
FANOUT = "fanout"
PUBLISH = "publish"
QUEUE_NAMES = {FANOUT: "crier", PUBLISH: "crier-publish"}


class FlaskHuey:
    """Hueys whose storage is chosen by the app and whose tasks run in its app context:
    ``huey`` carries fan-out, ``lane`` publishing and reminders (``lane=PUBLISH``)."""

    def __init__(self):
        self.huey = Huey(QUEUE_NAMES[FANOUT], storage_class=MemoryStorage, utc=True)
        self.lane = Huey(QUEUE_NAMES[PUBLISH], storage_class=MemoryStorage, utc=True)
        self.app = None

    @property
    def queues(self) -> dict[str, Huey]:
        """Each lane's Huey, by lane name."""
        return {FANOUT: self.huey, PUBLISH: self.lane}

    def init_app(self, app):
        self.app = app
        for queue in self.queues.values():
            self._bind(app, queue)

    @staticmethod
    def _bind(app, huey):
        if app.config["HUEY_IMMEDIATE"]:
            huey.immediate = True
            return
        huey.immediate = False
        if app.config.get("REDIS_URL"):
            huey.storage_class = RedisStorage
            huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
        else:  # one file, a queue per name in it
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

    def task(self, *, lane=FANOUT, **options):
        """Declare a task on ``lane``; it runs inside the bound app's context."""
        return lambda func: self.queues[lane].task(**options)(self._in_context(func))

    def on_startup(self):
        """Run a function in each worker thread of each lane as it starts, in the app context."""

        def register(func):
            wrapped = self._in_context(func)
            for queue in self.queues.values():
                queue.on_startup()(wrapped)
            return func

        return register

    def periodic_task(self, validate_datetime, *, lane=PUBLISH, **options):
        """Declare a periodic task (on the publish lane unless told); it runs in the app's
        context."""
        return lambda func: self.queues[lane].periodic_task(validate_datetime, **options)(
            self._in_context(func)
        )


huey = FlaskHuey()
