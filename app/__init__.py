"""Application factory: `create_app()` for gunicorn, the CLI and tests."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Settings, SettingsConfig, app_settings, config_for

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class CallCentre(Flask):
    # Its config keeps the typed view the app reads (`config.app_settings()`).
    config_class = SettingsConfig


def create_app(config: Settings | str | None = None) -> Flask:
    """Build the app. `config` is a Settings instance, a settings name, or None (APP_ENV)."""
    settings = config if isinstance(config, Settings) else config_for(config)()
    app = CallCentre(__name__)
    app.config.from_mapping(settings.as_dict())
    app_settings(app)  # typed once here: a setting of the wrong type fails the start
    _configure_logging(app)
    _init_extensions(app)
    _register_packages(app)
    _register_cli(app)
    return app


def _configure_logging(app: Flask) -> None:
    from app.observability.logs import configure_logging  # text/JSON, call SID, scrubbing

    configure_logging(app)


def _init_extensions(app: Flask) -> None:
    from app.errors import register_error_handlers
    from app.extensions import db, migrate, redis_connections
    from app.telephony import init_gateway

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    redis_connections.init_app(app)
    init_gateway(app)
    register_error_handlers(app)
    # Import models so Alembic's autogenerate and create_all see every table.
    from app import models  # noqa: F401


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless asked, and WAL lets the worker read while web writes.
    # synchronous=NORMAL (safe with WAL): a commit no longer waits for an fsync, so the write
    # lock is held far shorter; commits survive any crash of the app or the OS process, but
    # the last ones before a power loss or kernel crash may be lost (the database stays
    # consistent). FULL would fsync the write-ahead log on every commit.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _register_packages(app: Flask) -> None:
    # Each package wires itself in one place, `register(app)`: its blueprint (which carries
    # its routes and CLI group) and its hooks into the packages below it.
    from app import (
        admin,
        agents,
        api_docs,
        calls,
        customers,
        dashboard,
        health,
        ivr,
        monitoring,
        queue,
        softphone,
        supervision,
        testphone,
        voicemail,
        web,
        wrapup,
    )

    for module in (health, ivr, customers, queue, agents, voicemail, calls, softphone, wrapup,
                   supervision, web, dashboard, admin, testphone, monitoring, api_docs):
        module.register(app)


def _register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
