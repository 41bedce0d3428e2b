"""Extensions, created unbound and attached to an app by `init_app` (no work at import time)."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.local import LocalProxy

from config import app_settings


class Base(DeclarativeBase):
    # Named constraints: SQLite's batch migrations cannot drop an unnamed one.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

# Row ids are 64-bit signed in SQLite and PostgreSQL alike.
MAX_ROW_ID = 2**63 - 1


def get_row(model: type[Base], row_id: int) -> Any:
    """`db.session.get` for an id from outside (a URL, a form): an id no row can have is no
    row, where the database driver would raise OverflowError (a 500) for one past 64 bits."""
    if not 0 < row_id <= MAX_ROW_ID:
        return None
    return db.session.get(model, row_id)
migrate = Migrate()


class RedisConnections:
    """Two connections to one Redis: text for the app, bytes for RQ (which pickles).

    Short socket timeouts make a Redis outage fail a webhook quickly, so it can still
    answer its safe fallback well inside Twilio's 15 s limit.
    """

    def init_app(self, app: Flask) -> None:
        url = app_settings(app).REDIS_URL
        opts: dict[str, Any] = {"socket_timeout": 2, "socket_connect_timeout": 2}
        app.extensions["redis"] = redis.Redis.from_url(url, decode_responses=True, **opts)
        app.extensions["redis_bytes"] = redis.Redis.from_url(url, **opts)


redis_connections = RedisConnections()
redis_client: redis.Redis = LocalProxy(lambda: current_app.extensions["redis"])  # type: ignore[assignment]


def rq_queue(name: str | None = None):  # -> rq.Queue
    """The RQ queue the worker listens on (imported lazily: only web needs it at enqueue)."""
    from rq import Queue

    return Queue(
        name or app_settings().RQ_QUEUE,
        connection=current_app.extensions["redis_bytes"],
    )
